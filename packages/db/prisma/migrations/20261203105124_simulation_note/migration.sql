-- A free-text note on a simulation (PATCH /v1/simulations/{id}).
ALTER TABLE "simulations" ADD COLUMN "note" TEXT;
