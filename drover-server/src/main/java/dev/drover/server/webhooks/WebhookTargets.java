package dev.drover.server.webhooks;

import dev.drover.server.http.ApiException;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Locale;

/**
 * Where a webhook may send: http(s) URLs whose host resolves only to public addresses, unless
 * {@code DROVER_WEBHOOK_ALLOW_PRIVATE} says otherwise. Checked at creation and again before every attempt, whose
 * connection then goes to an address this check returned (see {@link WebhookSender}): a name that resolves to a
 * public address at creation and to {@code 127.0.0.1} later (DNS rebinding) is refused at the attempt.
 */
public final class WebhookTargets {
    public static final int MAX_URL_CHARS = 2048;

    /** The target cannot be used; {@code getMessage()} says why, without the URL's path or query. */
    public static final class Refused extends Exception {
        Refused(String why) {
            super(why, null, false, false);
        }
    }

    /** Resolves a host name; a seam so that a test can play DNS. */
    @FunctionalInterface
    public interface Resolver {
        InetAddress[] resolve(String host) throws UnknownHostException;
    }

    private final boolean allowPrivate;
    private final Resolver resolver;

    public WebhookTargets(boolean allowPrivate, Resolver resolver) {
        this.allowPrivate = allowPrivate;
        this.resolver = resolver;
    }

    public WebhookTargets(boolean allowPrivate) {
        this(allowPrivate, InetAddress::getAllByName);
    }

    /** The URL a client gave, or a 400 naming {@code field}. Credentials in it are refused: they would be shown. */
    public static URI parse(String field, String raw) {
        if (raw == null || raw.isBlank()) {
            throw ApiException.badRequest(field, "is required");
        }
        if (raw.length() > MAX_URL_CHARS) {
            throw ApiException.badRequest(field, "must be at most " + MAX_URL_CHARS + " characters");
        }
        URI uri;
        try {
            uri = new URI(raw.strip());
        } catch (URISyntaxException e) {
            throw ApiException.badRequest(field, "is not a URL (" + e.getReason() + ")");
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw ApiException.badRequest(field, "must be an http:// or https:// URL");
        }
        if (uri.getHost() == null || uri.getHost().isEmpty()) {
            throw ApiException.badRequest(field, "must name a host");
        }
        if (uri.getPort() == 0 || uri.getPort() > 65535) {
            throw ApiException.badRequest(field, "port must be between 1 and 65535");
        }
        if (uri.getRawUserInfo() != null) {
            throw ApiException.badRequest(field, "must not hold credentials; authenticate the request by its signature");
        }
        if (uri.getRawFragment() != null) {
            throw ApiException.badRequest(field, "must not have a fragment");
        }
        return uri;
    }

    /** Checked at creation: a refused target is a 400 naming {@code field}. */
    public List<InetAddress> checkForCreation(String field, URI uri) {
        try {
            return check(uri);
        } catch (Refused e) {
            throw ApiException.badRequest(field, e.getMessage());
        }
    }

    /** Every address the URL's host resolves to now, all of them allowed; else why not. */
    public List<InetAddress> check(URI uri) throws Refused {
        String host = hostOf(uri);
        InetAddress[] addresses;
        try {
            addresses = resolver.resolve(host);
        } catch (UnknownHostException e) {
            throw new Refused("host " + host + " does not resolve");
        }
        if (addresses.length == 0) {
            throw new Refused("host " + host + " does not resolve");
        }
        if (!allowPrivate) {
            for (InetAddress a : addresses) {
                if (!isPublic(a)) {
                    throw new Refused("host " + host + " resolves to " + a.getHostAddress() + ", a private, loopback"
                            + " or link-local address; set DROVER_WEBHOOK_ALLOW_PRIVATE=true to allow such targets");
                }
            }
        }
        return List.of(addresses);
    }

    /** The host without an IPv6 literal's brackets. */
    static String hostOf(URI uri) {
        String host = uri.getHost();
        return host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    }

    /** Whether an address is on the public internet (not this host, a private network, link-local, or reserved). */
    static boolean isPublic(InetAddress a) {
        if (a.isAnyLocalAddress() || a.isLoopbackAddress() || a.isLinkLocalAddress() || a.isSiteLocalAddress()
                || a.isMulticastAddress()) {
            return false;
        }
        byte[] b = a.getAddress();
        if (a instanceof Inet4Address) {
            int first = b[0] & 0xff;
            int second = b[1] & 0xff;
            return first != 0                                   // "this network"
                    && !(first == 100 && (second & 0xc0) == 64)  // 100.64.0.0/10, carrier-grade NAT
                    && !(first == 192 && second == 0 && (b[2] & 0xff) == 0) // 192.0.0.0/24, protocol assignments
                    && !(first == 198 && (second & 0xfe) == 18)  // 198.18.0.0/15, benchmarking
                    && first < 240;                              // 240.0.0.0/4 reserved, and broadcast
        }
        if (a instanceof Inet6Address) {
            if ((b[0] & 0xfe) == 0xfc) {
                return false; // fc00::/7, unique local addresses
            }
            if (isEmbeddingIpv4(b)) {
                try {
                    // ::a.b.c.d and the NAT64 prefix 64:ff9b::/96 reach the IPv4 address they carry
                    return isPublic(InetAddress.getByAddress(java.util.Arrays.copyOfRange(b, 12, 16)));
                } catch (UnknownHostException e) {
                    return false;
                }
            }
        }
        return true;
    }

    private static boolean isEmbeddingIpv4(byte[] b) {
        boolean compatible = true;
        for (int i = 0; i < 12; i++) {
            compatible &= b[i] == 0;
        }
        boolean nat64 = (b[0] & 0xff) == 0x00 && (b[1] & 0xff) == 0x64 && (b[2] & 0xff) == 0xff && (b[3] & 0xff) == 0x9b;
        for (int i = 4; nat64 && i < 12; i++) {
            nat64 = b[i] == 0;
        }
        return compatible || nat64;
    }
}
