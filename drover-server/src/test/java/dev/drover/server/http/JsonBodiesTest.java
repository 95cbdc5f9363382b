package dev.drover.server.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.drover.api.RunAgentRequest;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Every failure of reading a body is a 400 that names the member or the body, never a bug. */
class JsonBodiesTest {
    private static ApiException refusal(byte[] body) {
        try {
            JsonBodies.parse(body, RunAgentRequest.class);
        } catch (ApiException e) {
            return e;
        }
        throw new AssertionError("accepted");
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void aDocumentNestedTenThousandDeepIsA400NamingTheBodyOrTheMember() {
        ApiException whole = refusal(utf8("{\"a\":".repeat(10_000) + "1" + "}".repeat(10_000)));
        assertThat(whole.status()).isEqualTo(400);
        assertThat(whole.detail()).startsWith("body: ");
        ApiException member = refusal(utf8("{\"config\":" + "{\"a\":".repeat(10_000) + "1" + "}".repeat(10_000) + "}"));
        assertThat(member.status()).isEqualTo(400);
        assertThat(member.detail()).matches("(body|config): .*");
    }

    @Test
    void aNulInANestedMemberIsRefusedNamingItsPath() {
        assertThat(refusal(utf8("{\"config\": {\"harness\": {\"type\": \"command\", \"command\": \"a\\u0000b\"}}}"))
                .detail()).isEqualTo("config.harness.command: " + Text.NO_NUL);
        assertThat(refusal(utf8("{\"metadata\": {\"k\": \"\\u0000\"}}")).detail()).isEqualTo("metadata.k: " + Text.NO_NUL);
        assertThat(refusal(utf8("{\"attachments\": [{\"file_name\": \"\\u0000\"}]}")).detail())
                .isEqualTo("attachments[0].file_name: " + Text.NO_NUL);
    }

    @Test
    void invalidUtf8IsRefusedEvenWhereJacksonWouldDecodeIt() {
        byte[] overlongSlash = {'{', '"', 'p', 'r', 'o', 'm', 'p', 't', '"', ':', '"', (byte) 0xC0, (byte) 0xAF, '"', '}'};
        assertThat(refusal(overlongSlash).detail()).startsWith("body: is not valid UTF-8");
    }

    @Test
    void aLongValueInAnErrorIsCutShort() {
        ApiException e = refusal(utf8("{\"config\": {\"harness\": {\"type\": 5}}, \"x\": \"" + "y".repeat(100_000) + "\"}"));
        assertThat(e.detail()).startsWith("config.harness.type: ");
        assertThat(refusal(utf8("{\"team\": \"" + "y".repeat(100_000) + "\"}")).detail()).hasSizeLessThan(400);
    }

    @Test
    void trailingDataAndNumbersOfThousandsOfDigitsAreRefused() {
        assertThat(refusal(utf8("{} {}")).detail()).startsWith("body: ");
        assertThatThrownBy(() -> JsonBodies.parse(utf8("{\"config\": {\"idle_timeout_minutes\": " + "9".repeat(5000)
                + "}}"), RunAgentRequest.class)).isInstanceOf(ApiException.class);
    }
}
