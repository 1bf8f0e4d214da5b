-- Leases of running simulations, worker deaths (quarantine at 2), the trajectory digest.
ALTER TABLE "simulations" ADD COLUMN "leaseOwner" TEXT,
ADD COLUMN "leaseExpiresAt" TIMESTAMPTZ(3),
ADD COLUMN "workerDeaths" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN "claimStep" INTEGER,
ADD COLUMN "trajectoryDigest" TEXT;

-- Checkpoint bytes in pieces (never one value as long as the whole state).
ALTER TABLE "checkpoints" ALTER COLUMN "state" DROP NOT NULL,
ADD COLUMN "bytes" BIGINT NOT NULL DEFAULT 0;

CREATE TABLE "checkpoint_chunks" (
    "simulationId" UUID NOT NULL,
    "index" INTEGER NOT NULL,
    "data" BYTEA NOT NULL,

    CONSTRAINT "checkpoint_chunks_in_order" PRIMARY KEY ("simulationId","index")
);

ALTER TABLE "checkpoint_chunks" ADD CONSTRAINT "checkpoint_chunks_simulationId_fkey" FOREIGN KEY ("simulationId") REFERENCES "checkpoints"("simulationId") ON DELETE CASCADE ON UPDATE CASCADE;
