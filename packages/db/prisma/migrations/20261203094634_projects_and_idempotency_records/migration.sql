-- Projects: every key, simulation, sweep, schedule and dataset belongs to one. Rows older than
-- projects (and everything when keys are off) are in "default". Idempotency records move from
-- Redis to Postgres (a pending record has a short lease, so a dead API cannot hold a key for 24 h).

-- CreateTable
CREATE TABLE "projects" (
    "name" TEXT NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "projects_pkey" PRIMARY KEY ("name")
);

-- The project every existing row migrates into
INSERT INTO "projects" ("name") VALUES ('default');

-- AlterTable
ALTER TABLE "api_keys" ADD COLUMN     "project" TEXT NOT NULL DEFAULT 'default';

-- AlterTable
ALTER TABLE "datasets" ADD COLUMN     "project" TEXT NOT NULL DEFAULT 'default';

-- AlterTable
ALTER TABLE "schedules" ADD COLUMN     "project" TEXT NOT NULL DEFAULT 'default';

-- AlterTable
ALTER TABLE "simulations" ADD COLUMN     "project" TEXT NOT NULL DEFAULT 'default';

-- AlterTable
ALTER TABLE "sweeps" ADD COLUMN     "project" TEXT NOT NULL DEFAULT 'default';

-- CreateTable
CREATE TABLE "idempotency_records" (
    "scope" TEXT NOT NULL,
    "keyHash" TEXT NOT NULL,
    "fingerprint" TEXT NOT NULL,
    "claim" UUID NOT NULL,
    "statusCode" INTEGER,
    "headers" JSONB,
    "payload" TEXT,
    "leaseUntil" TIMESTAMPTZ(3) NOT NULL,
    "expiresAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "idempotency_records_by_key" PRIMARY KEY ("scope","keyHash")
);

-- CreateIndex
CREATE INDEX "idempotency_records_by_expiry" ON "idempotency_records"("expiresAt");

-- CreateIndex
CREATE INDEX "schedules_of_project_newest_first" ON "schedules"("project", "createdAt" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "simulations_of_project_newest_first" ON "simulations"("project", "createdAt" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "sweeps_of_project_newest_first" ON "sweeps"("project", "createdAt" DESC, "id" DESC);

-- AddForeignKey
ALTER TABLE "simulations" ADD CONSTRAINT "simulations_project_fkey" FOREIGN KEY ("project") REFERENCES "projects"("name") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "api_keys" ADD CONSTRAINT "api_keys_project_fkey" FOREIGN KEY ("project") REFERENCES "projects"("name") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "sweeps" ADD CONSTRAINT "sweeps_project_fkey" FOREIGN KEY ("project") REFERENCES "projects"("name") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "schedules" ADD CONSTRAINT "schedules_project_fkey" FOREIGN KEY ("project") REFERENCES "projects"("name") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "datasets" ADD CONSTRAINT "datasets_project_fkey" FOREIGN KEY ("project") REFERENCES "projects"("name") ON DELETE RESTRICT ON UPDATE CASCADE;
