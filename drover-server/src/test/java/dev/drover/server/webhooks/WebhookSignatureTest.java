package dev.drover.server.webhooks;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.Test;

class WebhookSignatureTest {
    /**
     * The example the Standard Webhooks reference libraries test their signing with
     * (standard-webhooks/standard-webhooks, libraries/javascript/src/webhook.test.ts, "sign function works").
     */
    @Test
    void theSignatureOfTheStandardWebhooksExampleIsTheOneItsReferenceLibrariesExpect() {
        String signature = WebhookSignature.sign("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
                "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330L, "{\"test\": 2432232314}".getBytes(StandardCharsets.UTF_8));
        assertThat(signature).isEqualTo("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
    }

    @Test
    void aReceiverAcceptsTheValidSignatureAmongSeveralAndRefusesAChangedBodyOrTimestamp() {
        String secret = WebhookSignature.newSecret();
        byte[] body = "{\"type\":\"run_succeeded\"}".getBytes(StandardCharsets.UTF_8);
        String valid = WebhookSignature.sign(secret, "msg_1", 1700000000L, body);
        String header = "v1,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc= " + valid;
        assertThat(WebhookSignature.verify(secret, "msg_1", 1700000000L, body, header)).isTrue();
        assertThat(WebhookSignature.verify(secret, "msg_1", 1700000001L, body, header)).isFalse();
        assertThat(WebhookSignature.verify(secret, "msg_1", 1700000000L, "{}".getBytes(StandardCharsets.UTF_8),
                header)).isFalse();
        assertThat(WebhookSignature.verify(WebhookSignature.newSecret(), "msg_1", 1700000000L, body, header)).isFalse();
    }

    @Test
    void aNewSecretIsWhsecAndThe32RandomBytesOfItsKeyInBase64() {
        String secret = WebhookSignature.newSecret();
        assertThat(secret).startsWith("whsec_");
        assertThat(Base64.getDecoder().decode(secret.substring(6))).hasSize(32);
        assertThat(WebhookSignature.newSecret()).isNotEqualTo(secret);
    }
}
