package dev.drover.server.workers;

import dev.drover.server.runs.WorkerPools;
import dev.drover.server.store.Database;

/** The pools of the workers that ever registered (registrations are kept, so a pool stays known while idle). */
public final class RegisteredPools implements WorkerPools {
    private final Database db;

    public RegisteredPools(Database db) {
        this.db = db;
    }

    @Override
    public boolean known(String pool) {
        return db.readOne(h -> h.createQuery("SELECT 1 FROM workers WHERE pool = :pool LIMIT 1").bind("pool", pool)
                .mapTo(Integer.class).findOne().isPresent());
    }
}
