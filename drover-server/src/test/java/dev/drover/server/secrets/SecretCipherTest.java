package dev.drover.server.secrets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The encryption of secret values at rest, attacked as someone with write access to the database would. */
class SecretCipherTest {
    private static byte[] key() {
        byte[] k = new byte[32];
        new SecureRandom().nextBytes(k);
        return k;
    }

    private final SecretCipher cipher = new SecretCipher(key(), null);

    @Test
    void aSealedValueOpensForItsOwnRowAndIsNotThePlainText() {
        SecretCipher.Sealed sealed = cipher.seal("id1", "team-a", "hunter2-but-longer");
        assertThat(sealed.keyId()).isEqualTo(cipher.keyId()).hasSize(16);
        assertThat(new String(Base64.getDecoder().decode(sealed.ciphertext()))).doesNotContain("hunter2");
        assertThat(cipher.open("id1", "team-a", sealed)).isEqualTo("hunter2-but-longer");
    }

    @Test
    void theSameValueSealedTwiceGivesDifferentCiphertextsBecauseEachHasItsOwnNonce() {
        assertThat(cipher.seal("id1", "o", "same value").ciphertext())
                .isNotEqualTo(cipher.seal("id1", "o", "same value").ciphertext());
    }

    @Test
    void aTamperedCiphertextIsRefused() {
        SecretCipher.Sealed sealed = cipher.seal("id1", "team-a", "a value of some length");
        byte[] bytes = Base64.getDecoder().decode(sealed.ciphertext());
        for (int i : new int[] {0, 12, bytes.length - 1}) { // the nonce, the ciphertext, the tag
            byte[] copy = bytes.clone();
            copy[i] ^= 1;
            SecretCipher.Sealed tampered = new SecretCipher.Sealed(sealed.keyId(), Base64.getEncoder().encodeToString(copy));
            assertThatThrownBy(() -> cipher.open("id1", "team-a", tampered)).isInstanceOf(SecretCipher.Refused.class)
                    .hasMessageContaining("altered");
        }
        assertThatThrownBy(() -> cipher.open("id1", "team-a", new SecretCipher.Sealed(sealed.keyId(), "AAAA")))
                .isInstanceOf(SecretCipher.Refused.class);
        assertThatThrownBy(() -> cipher.open("id1", "team-a", new SecretCipher.Sealed(sealed.keyId(), "not base64!")))
                .isInstanceOf(SecretCipher.Refused.class);
    }

    @Test
    void aCiphertextMovedToAnotherRowOrAnotherOwnerIsRefused() {
        SecretCipher.Sealed sealed = cipher.seal("id1", "team-a", "the team's token value");
        assertThatThrownBy(() -> cipher.open("id2", "team-a", sealed)).isInstanceOf(SecretCipher.Refused.class);
        assertThatThrownBy(() -> cipher.open("id1", "team-b", sealed)).isInstanceOf(SecretCipher.Refused.class);
        // the parts are length-prefixed: moving characters between id and owner does not give the same data
        SecretCipher.Sealed split = cipher.seal("ab", "c", "the team's token value");
        assertThatThrownBy(() -> cipher.open("a", "bc", split)).isInstanceOf(SecretCipher.Refused.class);
    }

    @Test
    void aValueSealedUnderAnotherKeyIsRefusedNamingBothKeys() {
        SecretCipher other = new SecretCipher(key(), null);
        SecretCipher.Sealed sealed = other.seal("id1", "o", "a value");
        assertThatThrownBy(() -> cipher.open("id1", "o", sealed)).isInstanceOf(SecretCipher.Refused.class)
                .hasMessageContaining(other.keyId()).hasMessageContaining(cipher.keyId())
                .hasMessageContaining("DROVER_SECRETS_KEY");
        // a wrong key that claims the right fingerprint still fails on the tag
        SecretCipher.Sealed forged = new SecretCipher.Sealed(cipher.keyId(), sealed.ciphertext());
        assertThatThrownBy(() -> cipher.open("id1", "o", forged)).isInstanceOf(SecretCipher.Refused.class);
    }

    @Test
    void thePreviousKeyOpensButNeverSeals() {
        byte[] old = key();
        SecretCipher before = new SecretCipher(old, null);
        SecretCipher after = new SecretCipher(key(), old);
        SecretCipher.Sealed sealed = before.seal("id1", "o", "rotated value");
        assertThat(after.open("id1", "o", sealed)).isEqualTo("rotated value");
        assertThat(after.seal("id1", "o", "new").keyId()).isEqualTo(after.keyId()).isNotEqualTo(before.keyId());
        assertThat(after.previousKeyId()).contains(before.keyId());
    }

    @Test
    void theKeyComesFromTheVariableOrElseFromAKeyFileCreatedPrivatelyOnce(@TempDir Path dir) throws Exception {
        byte[] k = key();
        SecretKeys.Loaded fromEnv = SecretKeys.load(Map.of("DROVER_SECRETS_KEY", Base64.getEncoder().encodeToString(k)), dir);
        assertThat(fromEnv.source()).isEqualTo("DROVER_SECRETS_KEY");
        assertThat(fromEnv.cipher().keyId()).isEqualTo(SecretCipher.fingerprint(k));
        assertThat(dir.resolve("secrets.key")).doesNotExist();

        SecretKeys.Loaded first = SecretKeys.load(Map.of(), dir);
        Path file = dir.resolve("secrets.key");
        assertThat(first.source()).isEqualTo(file.toString());
        assertThat(Files.getPosixFilePermissions(file))
                .isEqualTo(Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE));
        assertThat(Base64.getDecoder().decode(Files.readString(file).strip())).hasSize(32);
        assertThat(SecretKeys.load(Map.of(), dir).cipher().keyId()).isEqualTo(first.cipher().keyId());
        assertThat(dir.resolve("secrets.key.new")).doesNotExist();
    }

    @Test
    void aMalformedKeyIsRefusedWithoutShowingIt() {
        assertThatThrownBy(() -> SecretKeys.load(Map.of("DROVER_SECRETS_KEY", "c2hvcnQ="), Path.of("/nonexistent")))
                .hasMessageContaining("32 bytes").hasMessageNotContaining("c2hvcnQ=");
        assertThatThrownBy(() -> SecretKeys.load(Map.of("DROVER_SECRETS_KEY", "%%%notbase64"), Path.of("/nonexistent")))
                .hasMessageContaining("not base64").hasMessageNotContaining("%%%notbase64");
    }
}
