-- DropForeignKey
ALTER TABLE "trajectory_points" DROP CONSTRAINT "trajectory_points_simulationId_fkey";

-- What the foreign key's ON DELETE CASCADE did, once per statement instead of per row: deleting
-- simulations deletes their trajectory points. (The writer checks that the simulation exists, and
-- key-share locks it, once per INSERT: packages/db/src/trajectory.ts.)
CREATE FUNCTION "delete_trajectory_points_of_deleted_simulations"() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM "trajectory_points" t USING "deleted_simulations" d WHERE t."simulationId" = d."id";
  RETURN NULL;
END;
$$;

CREATE TRIGGER "simulations_delete_trajectory_points"
AFTER DELETE ON "simulations"
REFERENCING OLD TABLE AS "deleted_simulations"
FOR EACH STATEMENT EXECUTE FUNCTION "delete_trajectory_points_of_deleted_simulations"();

-- Points left by simulations already gone (none where the key held).
DELETE FROM "trajectory_points" t WHERE NOT EXISTS (SELECT 1 FROM "simulations" s WHERE s."id" = t."simulationId");
