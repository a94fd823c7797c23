package io.aixcl.daemon.tokens;

import io.aixcl.api.Tokens;
import io.aixcl.core.AixclException;
import io.aixcl.daemon.http.Exchange;
import io.aixcl.daemon.http.Router;
import io.aixcl.daemon.remote.LocalCa;
import io.aixcl.daemon.remote.Pem;
import io.aixcl.state.ApiToken;
import io.aixcl.state.TokenScope;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.security.spec.X509EncodedKeySpec;
import java.time.Instant;
import java.util.Base64;
import java.util.Optional;

/** {@code /v1/tokens}: create (shown once), list (never the token), revoke; and the local CA to pin. */
public final class TokenRoutes {
    private final TokenService tokens;
    private final LocalCa ca;

    public TokenRoutes(TokenService tokens, LocalCa ca) {
        this.tokens = tokens;
        this.ca = ca;
    }

    public void register(Router r) {
        r.get(Tokens.PATH, ex -> ex.ok(tokens.list().stream().map(TokenRoutes::info).toList()));
        r.post(Tokens.PATH, this::create);
        r.post(Tokens.REVOKE, ex -> ex.ok(info(tokens.revoke(ex.pathParam("ref")))));
        r.get(Tokens.CA, ex -> {
            X509Certificate cert = ca.certificate();
            ex.ok(new Tokens.CaCertificate(Pem.certificate(cert), LocalCa.fingerprint(cert)));
        });
    }

    private void create(Exchange ex) throws Exception {
        Tokens.CreateRequest req = ex.body(Tokens.CreateRequest.class);
        if (req.scope() == null) {
            throw new AixclException.InvalidInput("a scope is required: read, operate or admin");
        }
        TokenScope scope = TokenScope.parse(req.scope());
        Optional<PublicKey> clientKey = Optional.ofNullable(req.clientPublicKey()).map(TokenRoutes::publicKey);
        var lifetime = Optional.ofNullable(req.expires()).filter(s -> !s.isBlank()).map(TokenLifetime::parse);
        TokenService.Issued issued = tokens.create(req.name(), scope, lifetime);
        String clientCert = clientKey.map(k -> Pem.certificate(ca.issueClient(req.name(), k))).orElse(null);
        ex.json(201, new Tokens.Created(info(issued.token()), issued.secret(), clientCert,
                Pem.certificate(ca.certificate())));
    }

    private static PublicKey publicKey(String base64) {
        try {
            byte[] der = Base64.getDecoder().decode(base64);
            return KeyFactory.getInstance("EC").generatePublic(new X509EncodedKeySpec(der));
        } catch (IllegalArgumentException | GeneralSecurityException e) {
            throw new AixclException.InvalidInput("clientPublicKey: expected an EC public key (X.509 "
                    + "SubjectPublicKeyInfo, DER, base64)");
        }
    }

    static Tokens.TokenInfo info(ApiToken t) {
        String state = switch (t.standing(Instant.now())) {
            case ApiToken.Active a -> "active";
            case ApiToken.Expired e -> "expired";
            case ApiToken.Revoked r -> "revoked";
        };
        return new Tokens.TokenInfo(t.id(), t.name(), t.scope().wireName(), state, t.created().toString(),
                t.expires().map(Instant::toString).orElse(null), t.revoked().map(Instant::toString).orElse(null),
                t.lastUsed().map(Instant::toString).orElse(null));
    }
}
