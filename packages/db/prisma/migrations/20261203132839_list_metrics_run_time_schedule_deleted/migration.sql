-- AlterTable
ALTER TABLE "schedules" ADD COLUMN     "deletedAt" TIMESTAMPTZ(3);

-- AlterTable
ALTER TABLE "simulations" ADD COLUMN     "bestTestLoss" DOUBLE PRECISION,
ADD COLUMN     "dt" DOUBLE PRECISION,
ADD COLUMN     "finalTestLoss" DOUBLE PRECISION,
ADD COLUMN     "finalTrainLoss" DOUBLE PRECISION,
ADD COLUMN     "firstStartedAt" TIMESTAMPTZ(3);

-- CreateIndex
CREATE INDEX "simulations_of_project_by_final_test_loss" ON "simulations"("project", "finalTestLoss", "id");

-- CreateIndex
CREATE INDEX "simulations_of_project_by_best_test_loss" ON "simulations"("project", "bestTestLoss", "id");

-- Backfill: dt from the stored spec, the first start from the only start known, and the loss
-- columns from the stored points (replica mean per recorded step, over the finite values).
UPDATE "simulations" SET "dt" = ("spec"->'training'->>'dt')::double precision, "firstStartedAt" = "startedAt";

WITH means AS (
  SELECT "simulationId" AS id, step, avg("testLoss") AS test, avg("trainLoss") AS train
    FROM "trajectory_points" GROUP BY "simulationId", step
), per_run AS (
  SELECT id, min(test) AS best,
         (array_agg(test ORDER BY step DESC))[1] AS final_test,
         (array_agg(train ORDER BY step DESC))[1] AS final_train
    FROM means GROUP BY id
)
UPDATE "simulations" s SET "bestTestLoss" = per_run.best, "finalTestLoss" = per_run.final_test, "finalTrainLoss" = per_run.final_train
  FROM per_run WHERE s.id = per_run.id;
