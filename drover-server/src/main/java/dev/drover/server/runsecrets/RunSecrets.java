package dev.drover.server.runsecrets;

import dev.drover.api.AmbientAgentConfig;
import dev.drover.api.Redactor;
import dev.drover.api.RunEnvironment;
import dev.drover.api.RunItem;
import dev.drover.api.RunSecret;
import dev.drover.server.auth.Principal;
import dev.drover.server.environments.Environments;
import dev.drover.server.http.ApiException;
import dev.drover.server.identities.Identities;
import dev.drover.server.runs.ChildRunSecrets;
import dev.drover.server.runs.Runs;
import dev.drover.server.secrets.Secrets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The secrets of runs: which a run uses (its environment's {@code secrets}, and the {@code harness_auth_secrets}
 * name of its own harness only), checked when a run is created, resolved to values for the worker that claims it,
 * and redacted from what the run's agent writes through the API with its run-scoped token.
 */
public final class RunSecrets implements ChildRunSecrets {
    private final Secrets secrets;
    private final Environments environments;
    private final Runs runs;
    private final Identities identities;

    public RunSecrets(Secrets secrets, Environments environments, Runs runs, Identities identities) {
        this.secrets = secrets;
        this.environments = environments;
        this.runs = runs;
        this.identities = identities;
    }

    /**
     * What a run with {@code config}, (resolved) {@code environment} and agent identity uses, in injection order. An
     * identity's secrets are given like the environment's (setup commands and the agent); a name both give is given
     * once. The environment's {@code git_secret} comes last, with the use {@code git}: the worker's credential for the
     * run's repositories, never a variable of the run's processes (unless the environment also lists it in
     * {@code secrets}, which asks for exactly that).
     */
    static List<Secrets.Wanted> wanted(AmbientAgentConfig config, List<String> environmentSecrets,
            List<String> identitySecrets, String gitSecret) {
        List<Secrets.Wanted> out = new ArrayList<>();
        for (String name : environmentSecrets) {
            out.add(new Secrets.Wanted(name, RunSecret.ENVIRONMENT));
        }
        for (String name : identitySecrets) {
            if (!environmentSecrets.contains(name)) {
                out.add(new Secrets.Wanted(name, RunSecret.ENVIRONMENT));
            }
        }
        String auth = harnessSecret(config);
        if (auth != null) {
            out.add(new Secrets.Wanted(auth, RunSecret.HARNESS_AUTH));
        }
        if (gitSecret != null) {
            out.add(new Secrets.Wanted(gitSecret, RunSecret.GIT));
        }
        return out;
    }

    /** The {@code harness_auth_secrets} name for the run's own harness (the spec: only that one is injected). */
    static String harnessSecret(AmbientAgentConfig config) {
        if (config == null || config.harnessAuthSecrets() == null || config.harness() == null) {
            return null;
        }
        return config.harnessAuthSecrets().forHarness(config.harness().type());
    }

    /**
     * Refuses (400) a new run naming a secret the caller cannot see: its harness's auth secret, or one of the
     * environment's. Every name given in {@code harness_auth_secrets} is checked, also those of other harnesses (they
     * are not injected, but a typo should not wait for the day the harness changes).
     */
    @Override
    public void checkNewRun(Principal caller, AmbientAgentConfig config, String field) {
        if (config == null) {
            return;
        }
        // an agent creating a child run passes on only secrets its own run was given: otherwise any agent could
        // reach every secret of its creator's teams by naming it as a child's harness credential
        List<String> own = caller.runScope() == null ? null : ownNames(caller);
        if (config.harnessAuthSecrets() != null) {
            var h = config.harnessAuthSecrets();
            check(caller, own, h.claudeAuthSecretName(), field + ".harness_auth_secrets.claude_auth_secret_name");
            check(caller, own, h.codexAuthSecretName(), field + ".harness_auth_secrets.codex_auth_secret_name");
            check(caller, own, h.geminiAuthSecretName(), field + ".harness_auth_secrets.gemini_auth_secret_name");
        }
        if (config.environmentId() != null) {
            environments.forRun(config.environmentId()).ifPresent(e -> {
                e.secrets().forEach(name -> check(caller, name, field + ".environment_id"));
                if (e.gitSecret() != null) {
                    checkGitSecret(e, field + ".environment_id");
                }
            });
        }
    }

    /**
     * The environment's {@code git_secret} must be a secret of the environment's own scope: the credential of a
     * team's repositories is that team's, so a member of two teams cannot lend one team's git token to the other's
     * environment (whose every member could then push with it). A run-scoped token needs nothing more: the secret
     * never reaches its agent, and its child runs use the same environment.
     */
    private void checkGitSecret(RunEnvironment e, String field) {
        environments.ownerOf(e.uid()).ifPresent(owner -> secrets.requireIn(owner, e.gitSecret(), field,
                "the environment's git_secret"));
    }

    private void check(Principal caller, String name, String field) {
        check(caller, null, name, field);
    }

    private void check(Principal caller, List<String> own, String name, String field) {
        if (name == null) {
            return;
        }
        if (own != null && !own.contains(name)) {
            throw ApiException.forbidden(field + ": a run-scoped token may give a child run only the secrets of its own "
                    + "run; " + name + " is not one of them");
        }
        secrets.requireVisible(caller, name, field);
    }

    /** The names of the secrets the caller's run (a run-scoped token's) uses. */
    private List<String> ownNames(Principal caller) {
        RunItem run = runs.get(caller, caller.runScope());
        String environmentId = run.agentConfig() == null ? null : run.agentConfig().environmentId();
        List<String> names = environments.forRun(environmentId).map(RunEnvironment::secrets).orElse(List.of());
        // not the git secret: a child's harness_auth_secrets would put it into the child's agent's environment
        return wanted(run.agentConfig(), names, identities.secretNames(run.agentIdentityUid()), null).stream()
                .map(Secrets.Wanted::name).toList();
    }

    /** The values for the worker claiming {@code run} (whose environment is {@code environment}, null if none). */
    public Secrets.Resolution forClaim(RunItem run, RunEnvironment environment) {
        List<String> names = environment == null || environment.secrets() == null ? List.of() : environment.secrets();
        return secrets.resolve(run.scope().uid(), wanted(run.agentConfig(), names,
                identities.secretNames(run.agentIdentityUid()), environment == null ? null : environment.gitSecret()));
    }

    /**
     * The redactor for what {@code caller} writes: the values of its run's secrets for a run-scoped token (the agent
     * has them in its environment and may send them on; the git secret too, which it should not have, but a value
     * that reached it some other way is kept out all the same), nothing for anyone else. A secret that cannot be resolved
     * any more is simply not redacted: the run cannot have been given it.
     */
    @Override
    public Redactor redactorFor(Principal caller) {
        if (caller.runScope() == null) {
            return Redactor.none();
        }
        RunItem run = runs.get(caller, caller.runScope());
        String environmentId = run.agentConfig() == null ? null : run.agentConfig().environmentId();
        RunEnvironment environment = environments.forRun(environmentId).orElse(null);
        Map<String, String> values = new LinkedHashMap<>();
        for (RunSecret s : forClaim(run, environment).secrets()) {
            values.putIfAbsent(s.name(), s.value());
        }
        return Redactor.of(values);
    }
}
