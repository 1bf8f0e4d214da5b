-- CreateEnum
CREATE TYPE "SimulationStatus" AS ENUM ('queued', 'running', 'completed', 'failed', 'cancelled', 'diverged');

-- CreateTable
CREATE TABLE "simulations" (
    "id" UUID NOT NULL,
    "name" TEXT,
    "tags" TEXT[],
    "status" "SimulationStatus" NOT NULL DEFAULT 'queued',
    "spec" JSONB NOT NULL,
    "seed" BIGINT NOT NULL,
    "replicas" INTEGER NOT NULL,
    "width" INTEGER NOT NULL,
    "totalSteps" INTEGER NOT NULL,
    "stepsDone" INTEGER NOT NULL DEFAULT 0,
    "progress" DOUBLE PRECISION NOT NULL DEFAULT 0,
    "backend" TEXT,
    "device" TEXT,
    "error" TEXT,
    "divergedAtStep" INTEGER,
    "priority" INTEGER NOT NULL DEFAULT 0,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "startedAt" TIMESTAMPTZ(3),
    "finishedAt" TIMESTAMPTZ(3),
    "runSeconds" DOUBLE PRECISION,

    CONSTRAINT "simulations_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "trajectory_points" (
    "simulationId" UUID NOT NULL,
    "replica" INTEGER NOT NULL,
    "step" INTEGER NOT NULL,
    "time" DOUBLE PRECISION NOT NULL,
    "trainLoss" DOUBLE PRECISION,
    "testLoss" DOUBLE PRECISION,
    "testError" DOUBLE PRECISION,

    CONSTRAINT "trajectory_points_by_replica_step" PRIMARY KEY ("simulationId","replica","step")
);

-- CreateTable
CREATE TABLE "probe_outputs" (
    "simulationId" UUID NOT NULL,
    "step" INTEGER NOT NULL,
    "values" BYTEA NOT NULL,

    CONSTRAINT "probe_outputs_by_step" PRIMARY KEY ("simulationId","step")
);

-- CreateTable
CREATE TABLE "snapshots" (
    "simulationId" UUID NOT NULL,
    "step" INTEGER NOT NULL,
    "c" BYTEA NOT NULL,
    "w" BYTEA NOT NULL,
    "b" BYTEA NOT NULL,

    CONSTRAINT "snapshots_by_step" PRIMARY KEY ("simulationId","step")
);

-- CreateTable
CREATE TABLE "checkpoints" (
    "simulationId" UUID NOT NULL,
    "step" INTEGER NOT NULL,
    "state" BYTEA NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "checkpoints_pkey" PRIMARY KEY ("simulationId")
);

-- CreateIndex
CREATE INDEX "simulations_newest_first" ON "simulations"("createdAt" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "simulations_by_status_newest_first" ON "simulations"("status", "createdAt" DESC);

-- AddForeignKey
ALTER TABLE "trajectory_points" ADD CONSTRAINT "trajectory_points_simulationId_fkey" FOREIGN KEY ("simulationId") REFERENCES "simulations"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "probe_outputs" ADD CONSTRAINT "probe_outputs_simulationId_fkey" FOREIGN KEY ("simulationId") REFERENCES "simulations"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "snapshots" ADD CONSTRAINT "snapshots_simulationId_fkey" FOREIGN KEY ("simulationId") REFERENCES "simulations"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "checkpoints" ADD CONSTRAINT "checkpoints_simulationId_fkey" FOREIGN KEY ("simulationId") REFERENCES "simulations"("id") ON DELETE CASCADE ON UPDATE CASCADE;
