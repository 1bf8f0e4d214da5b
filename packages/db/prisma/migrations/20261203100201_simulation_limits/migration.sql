-- The infinite-width limits of a finished run (packages/limits), one JSON report per simulation.

-- CreateTable
CREATE TABLE "simulation_limits" (
    "simulationId" UUID NOT NULL,
    "report" JSONB NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "simulation_limits_pkey" PRIMARY KEY ("simulationId")
);

-- AddForeignKey
ALTER TABLE "simulation_limits" ADD CONSTRAINT "simulation_limits_simulationId_fkey" FOREIGN KEY ("simulationId") REFERENCES "simulations"("id") ON DELETE CASCADE ON UPDATE CASCADE;
