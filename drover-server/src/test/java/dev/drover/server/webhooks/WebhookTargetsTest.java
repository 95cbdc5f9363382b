package dev.drover.server.webhooks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.drover.server.http.ApiException;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class WebhookTargetsTest {
    private static InetAddress ip(String literal) {
        try {
            return InetAddress.getByName(literal); // a literal: no lookup
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void aNameThatResolvedToAPublicAddressAtCreationIsRefusedWhenItResolvesToLoopbackAtDeliveryTime() throws Exception {
        AtomicReference<InetAddress[]> dns = new AtomicReference<>(new InetAddress[] {ip("93.184.216.34")});
        WebhookTargets targets = new WebhookTargets(false, host -> dns.get());
        URI url = URI.create("https://rebind.example/hook");
        assertThat(targets.checkForCreation("url", url)).containsExactly(ip("93.184.216.34"));

        dns.set(new InetAddress[] {ip("93.184.216.34"), ip("127.0.0.1")});
        assertThatThrownBy(() -> targets.check(url)).isInstanceOf(WebhookTargets.Refused.class)
                .hasMessageContaining("127.0.0.1");
    }

    @Test
    void privateLoopbackLinkLocalAndReservedAddressesAreNotPublic() {
        for (String a : new String[] {"127.0.0.1", "10.0.0.1", "172.16.5.4", "192.168.1.1", "169.254.169.254",
                "100.64.0.1", "0.0.0.0", "198.18.0.1", "255.255.255.255", "224.0.0.1", "::1", "::", "fe80::1",
                "fd00::1", "::ffff:127.0.0.1", "64:ff9b::a00:1", "::7f00:1"}) {
            assertThat(WebhookTargets.isPublic(ip(a))).as(a).isFalse();
        }
        for (String a : new String[] {"93.184.216.34", "8.8.8.8", "2606:4700::1111", "64:ff9b::808:808"}) {
            assertThat(WebhookTargets.isPublic(ip(a))).as(a).isTrue();
        }
    }

    @Test
    void everyAddressIsAllowedWhenPrivateTargetsAreAllowed() throws Exception {
        WebhookTargets targets = new WebhookTargets(true, host -> new InetAddress[] {ip("127.0.0.1")});
        assertThat(targets.check(URI.create("http://receiver.test/x"))).containsExactly(ip("127.0.0.1"));
    }

    @Test
    void aNameThatDoesNotResolveIsRefusedWithAReason() {
        WebhookTargets targets = new WebhookTargets(false, host -> {
            throw new UnknownHostException(host);
        });
        assertThatThrownBy(() -> targets.checkForCreation("url", URI.create("http://nowhere.invalid/")))
                .isInstanceOf(ApiException.class).hasMessageStartingWith("url: host nowhere.invalid does not resolve");
    }
}
