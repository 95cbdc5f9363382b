package dev.drover.server.auth;

import static org.assertj.core.api.Assertions.assertThat;

import dev.drover.server.store.Database;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class UrlSignerTest {

    @Test
    void aSignatureHoldsForItsPathUntilItExpiresAndEveryNodeSharesTheKey(@TempDir Path dir) {
        try (Database db = Database.open(Database.Settings.sqlite(dir))) {
            Instant t0 = Instant.parse("2026-11-28T12:00:00Z");
            UrlSigner signer = UrlSigner.load(db, Clock.fixed(t0, ZoneOffset.UTC));
            UrlSigner.Signed signed = signer.sign("http://h", "/files/x", Duration.ofMinutes(15));
            assertThat(signed.expiresAt()).isEqualTo(t0.plus(Duration.ofMinutes(15)));
            String query = URI.create(signed.url()).getQuery();
            String expires = query.replaceAll(".*expires=([0-9]+).*", "$1");
            String sig = query.replaceAll(".*signature=([^&]+).*", "$1");
            assertThat(signer.verify("/files/x", expires, sig)).isTrue();
            assertThat(signer.verify("/files/y", expires, sig)).as("another path").isFalse();
            assertThat(signer.verify("/files/x", Long.toString(Long.parseLong(expires) + 60), sig)).as("extended").isFalse();
            assertThat(signer.verify("/files/x", expires, sig.substring(1) + "A")).isFalse();
            assertThat(signer.verify("/files/x", "soon", sig)).isFalse();

            UrlSigner otherNode = UrlSigner.load(db, Clock.fixed(t0.plusSeconds(60), ZoneOffset.UTC));
            assertThat(otherNode.verify("/files/x", expires, sig)).as("same key from the database").isTrue();
            UrlSigner later = UrlSigner.load(db, Clock.fixed(t0.plus(Duration.ofMinutes(16)), ZoneOffset.UTC));
            assertThat(later.verify("/files/x", expires, sig)).as("expired").isFalse();
        }
    }
}
