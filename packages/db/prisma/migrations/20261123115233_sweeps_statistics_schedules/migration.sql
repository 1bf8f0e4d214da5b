-- CreateEnum
CREATE TYPE "SweepStatus" AS ENUM ('queued', 'running', 'completed', 'cancelled');

-- AlterTable
ALTER TABLE "simulations" ADD COLUMN     "sweepId" UUID,
ADD COLUMN     "sweepPoint" JSONB;

-- CreateTable
CREATE TABLE "sweeps" (
    "id" UUID NOT NULL,
    "name" TEXT,
    "status" "SweepStatus" NOT NULL DEFAULT 'queued',
    "base" JSONB NOT NULL,
    "grid" JSONB NOT NULL,
    "replicas" INTEGER NOT NULL,
    "seed" BIGINT NOT NULL,
    "partial" BOOLEAN NOT NULL DEFAULT false,
    "scheduleId" UUID,
    "firingId" TEXT,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finishedAt" TIMESTAMPTZ(3),

    CONSTRAINT "sweeps_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "simulation_statistics" (
    "simulationId" UUID NOT NULL,
    "step" INTEGER NOT NULL,
    "time" DOUBLE PRECISION NOT NULL,
    "meanLoss" DOUBLE PRECISION,
    "lossVariance" DOUBLE PRECISION,
    "standardError" DOUBLE PRECISION,
    "count" INTEGER NOT NULL,
    "dropped" INTEGER NOT NULL,
    "fluctuation" DOUBLE PRECISION,
    "meanOutputVariance" DOUBLE PRECISION,
    "excessKurtosis" DOUBLE PRECISION,
    "probes" INTEGER NOT NULL,

    CONSTRAINT "simulation_statistics_by_step" PRIMARY KEY ("simulationId","step")
);

-- CreateTable
CREATE TABLE "sweep_statistics" (
    "sweepId" UUID NOT NULL,
    "series" TEXT NOT NULL,
    "step" INTEGER NOT NULL,
    "time" DOUBLE PRECISION NOT NULL,
    "alpha" DOUBLE PRECISION,
    "alphaLower" DOUBLE PRECISION,
    "alphaUpper" DOUBLE PRECISION,
    "partial" BOOLEAN NOT NULL,
    "scaling" JSONB NOT NULL,
    "extrapolation" JSONB,

    CONSTRAINT "sweep_statistics_by_series_step" PRIMARY KEY ("sweepId","series","step")
);

-- CreateTable
CREATE TABLE "schedules" (
    "id" UUID NOT NULL,
    "name" TEXT,
    "pattern" TEXT NOT NULL,
    "timeZone" TEXT NOT NULL,
    "template" JSONB NOT NULL,
    "paused" BOOLEAN NOT NULL DEFAULT false,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "schedules_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "sweeps_firingId_key" ON "sweeps"("firingId");

-- CreateIndex
CREATE INDEX "sweeps_newest_first" ON "sweeps"("createdAt" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "sweeps_of_schedule_newest_first" ON "sweeps"("scheduleId", "createdAt" DESC);

-- CreateIndex
CREATE INDEX "sweep_statistics_by_series_time" ON "sweep_statistics"("sweepId", "series", "time");

-- CreateIndex
CREATE INDEX "schedules_newest_first" ON "schedules"("createdAt" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "simulations_by_sweep" ON "simulations"("sweepId");

-- AddForeignKey
ALTER TABLE "simulations" ADD CONSTRAINT "simulations_sweepId_fkey" FOREIGN KEY ("sweepId") REFERENCES "sweeps"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "sweeps" ADD CONSTRAINT "sweeps_scheduleId_fkey" FOREIGN KEY ("scheduleId") REFERENCES "schedules"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "simulation_statistics" ADD CONSTRAINT "simulation_statistics_simulationId_fkey" FOREIGN KEY ("simulationId") REFERENCES "simulations"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "sweep_statistics" ADD CONSTRAINT "sweep_statistics_sweepId_fkey" FOREIGN KEY ("sweepId") REFERENCES "sweeps"("id") ON DELETE CASCADE ON UPDATE CASCADE;
