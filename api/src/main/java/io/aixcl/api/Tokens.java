package io.aixcl.api;

/** Control-plane tokens (the TCP listener's bearer tokens) and the local CA: routes and wire DTOs. */
public final class Tokens {
    /** GET: list; POST: create. */
    public static final String PATH = "/v1/tokens";
    /** GET: the local CA's certificate (PEM), which remote CLIs pin. */
    public static final String CA = "/v1/tokens/ca";
    /** POST {@code /v1/tokens/{ref}/revoke}, ref an id or a name. */
    public static final String REVOKE = "/v1/tokens/{ref}/revoke";

    public static String revokePath(String ref) {
        return PATH + "/" + java.net.URLEncoder.encode(ref, java.nio.charset.StandardCharsets.UTF_8) + "/revoke";
    }

    /**
     * {@code expires}: a duration such as {@code 30d}, {@code 12h}, or null for never. {@code clientPublicKey}: with
     * it, the daemon also issues a client certificate for mutual TLS (X.509 SubjectPublicKeyInfo, DER, base64); the
     * private key never leaves the client.
     */
    public record CreateRequest(String name, String scope, String expires, String clientPublicKey) {}

    /** A token as listed: never the token itself. Times are ISO-8601, null when not set. */
    public record TokenInfo(String id, String name, String scope, String state, String created, String expires,
                            String revoked, String lastUsed) {}

    /** The answer to a create: the only time the token is ever shown. */
    public record Created(TokenInfo info, String token, String clientCertificate, String caCertificate) {}

    public record CaCertificate(String pem, String sha256Fingerprint) {}

    private Tokens() {}
}
