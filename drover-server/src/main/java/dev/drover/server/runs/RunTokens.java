package dev.drover.server.runs;

import dev.drover.server.auth.RunTokenRuns;
import dev.drover.server.store.Database;
import java.util.Optional;

/**
 * Run tokens as authentication sees them: a token works while its run is held ({@link RunTransitions#HELD}), and
 * stops with the run's end without anything revoking it. {@link RunLeases} writes the tokens at claim time.
 */
public final class RunTokens implements RunTokenRuns {
    private final Database db;

    public RunTokens(Database db) {
        this.db = db;
    }

    @Override
    public Optional<HeldRun> heldRun(String tokenHash) {
        return db.readOne(h -> h.createQuery("""
                        SELECT r.id, r.creator_id FROM run_tokens t JOIN runs r ON r.id = t.run_id
                        WHERE t.token_hash = :h AND r.state IN <held>""")
                .define("held", RunTransitions.HELD_SQL).bind("h", tokenHash)
                .map((rs, ctx) -> new HeldRun(rs.getString(1), rs.getString(2)))
                .findOne());
    }
}
