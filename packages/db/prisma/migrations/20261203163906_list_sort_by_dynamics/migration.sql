-- AlterTable
ALTER TABLE "simulations" ADD COLUMN     "dynamics" TEXT;

-- Backfill from the stored spec (rows written from now on set it when they are created).
UPDATE "simulations" SET "dynamics" = "spec"->'training'->>'dynamics';
