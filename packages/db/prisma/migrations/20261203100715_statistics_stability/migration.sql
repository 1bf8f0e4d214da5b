-- Stability and the fluctuation statistics a referee asks for (science.md, "Statistics", "Stability").
-- Per replica the recorded step at which it went unstable (JSON array, null for a stable replica).
ALTER TABLE "simulations" ADD COLUMN "unstableAtStep" JSONB;

-- Replicas left out of a row because they went unstable; the kurtosis' standard error; the
-- connected 4-point function across probes.
ALTER TABLE "simulation_statistics" ADD COLUMN "unstable" INTEGER NOT NULL DEFAULT 0;
ALTER TABLE "simulation_statistics" ADD COLUMN "excessKurtosisError" DOUBLE PRECISION;
ALTER TABLE "simulation_statistics" ADD COLUMN "fourPoint" DOUBLE PRECISION;
