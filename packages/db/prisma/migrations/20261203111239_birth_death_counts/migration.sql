-- Birth-death runs: per replica, the births and deaths since the previous recorded step.
CREATE TABLE "birth_death_counts" (
    "simulationId" UUID NOT NULL,
    "step" INTEGER NOT NULL,
    "births" INTEGER[],
    "deaths" INTEGER[],

    CONSTRAINT "birth_death_counts_by_step" PRIMARY KEY ("simulationId","step")
);

ALTER TABLE "birth_death_counts" ADD CONSTRAINT "birth_death_counts_simulationId_fkey" FOREIGN KEY ("simulationId") REFERENCES "simulations"("id") ON DELETE CASCADE ON UPDATE CASCADE;
