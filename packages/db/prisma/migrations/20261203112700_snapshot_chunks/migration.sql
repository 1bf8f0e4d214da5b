-- Snapshot bytes in pieces (never one value as long as the whole snapshot); c, w, b stay for older rows.
ALTER TABLE "snapshots" ALTER COLUMN "c" DROP NOT NULL,
ALTER COLUMN "w" DROP NOT NULL,
ALTER COLUMN "b" DROP NOT NULL,
ADD COLUMN "cBytes" BIGINT NOT NULL DEFAULT 0,
ADD COLUMN "wBytes" BIGINT NOT NULL DEFAULT 0,
ADD COLUMN "bBytes" BIGINT NOT NULL DEFAULT 0;

CREATE TABLE "snapshot_chunks" (
    "simulationId" UUID NOT NULL,
    "step" INTEGER NOT NULL,
    "index" INTEGER NOT NULL,
    "data" BYTEA NOT NULL,

    CONSTRAINT "snapshot_chunks_in_order" PRIMARY KEY ("simulationId","step","index")
);

ALTER TABLE "snapshot_chunks" ADD CONSTRAINT "snapshot_chunks_simulationId_step_fkey" FOREIGN KEY ("simulationId", "step") REFERENCES "snapshots"("simulationId", "step") ON DELETE CASCADE ON UPDATE CASCADE;
