package dev.drover.server.integrations;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class MentionsTest {
    @Test
    void aWholeHandleInAnyCaseIsAMention() {
        for (String text : new String[] {"@drover", "@Drover fix it", "hey @DROVER, please", "(@drover)", "ping @drover.",
                "line one\n@drover: line two", "`code` then @drover"}) {
            assertThat(Mentions.mentions(text, "@drover")).as(text).isTrue();
        }
    }

    @Test
    void aLongerHandleAnAddressCodeAndQuotesAreNot() {
        for (String text : new String[] {"@drover-bot", "@drover_x", "me@drover.io", "see @drover.io", "`@drover`",
                "``run @drover``", "```\n@drover do it\n```", "~~~sh\n@drover\n~~~", "> @drover fix\n\nagreed",
                "@droverx", "drover", "", "a/@drover"}) {
            assertThat(Mentions.mentions(text, "@drover")).as(text).isFalse();
        }
        assertThat(Mentions.mentions(null, "@drover")).isFalse();
    }

    @Test
    void anotherHandleIsMatchedLiterally() {
        assertThat(Mentions.mentions("@ops.bot run", "@ops.bot")).isTrue();
        assertThat(Mentions.mentions("@opsxbot run", "@ops.bot")).isFalse();
    }

    @Test
    void githubSignaturesAreCheckedOverTheExactBytes() {
        // the example of GitHub's documentation ("Validating webhook deliveries")
        byte[] body = "Hello, World!".getBytes(StandardCharsets.UTF_8);
        String expected = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17";
        assertThat(ForgeSignatures.githubSignature("It's a Secret to Everybody", body)).isEqualTo(expected);
        assertThat(ForgeSignatures.githubValid("It's a Secret to Everybody", body, expected)).isTrue();
        assertThat(ForgeSignatures.githubValid("It's a Secret to Everybody", body, expected.toUpperCase()
                .replace("SHA256=", "sha256="))).isTrue();
        assertThat(ForgeSignatures.githubValid("another", body, expected)).isFalse();
        assertThat(ForgeSignatures.githubValid("It's a Secret to Everybody", "Hello, World?".getBytes(), expected))
                .isFalse();
        assertThat(ForgeSignatures.githubValid("It's a Secret to Everybody", body, expected.substring(7))).isFalse();
        assertThat(ForgeSignatures.gitlabValid("token", "token")).isTrue();
        assertThat(ForgeSignatures.gitlabValid("token", "token ")).isFalse();
        assertThat(ForgeSignatures.gitlabValid("token", "")).isFalse();
    }
}
