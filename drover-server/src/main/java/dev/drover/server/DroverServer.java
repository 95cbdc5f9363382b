package dev.drover.server;

import dev.drover.server.auth.Accounts;
import dev.drover.server.auth.Authenticator;
import dev.drover.server.auth.Bootstrap;
import dev.drover.server.blobs.BlobStore;
import dev.drover.server.environments.Environments;
import dev.drover.server.environments.EnvironmentsService;
import dev.drover.server.environments.GitSources;
import dev.drover.server.delivery.Deliveries;
import dev.drover.server.delivery.DeliveriesService;
import dev.drover.server.delivery.DeliverySettings;
import dev.drover.server.eventlog.CommitAnnouncer;
import dev.drover.server.eventlog.EventBus;
import dev.drover.server.eventlog.EventTail;
import dev.drover.server.eventlog.EventLog;
import dev.drover.server.events.EventsService;
import dev.drover.server.eventlog.PostgresEventListener;
import dev.drover.server.http.DirectProblems;
import dev.drover.server.periodic.Periodic;
import dev.drover.server.workers.RegisteredPools;
import dev.drover.server.http.Problems;
import io.helidon.http.DirectHandler;
import dev.drover.server.messages.Messages;
import dev.drover.server.messages.MessagesService;
import dev.drover.server.models.ModelCatalog;
import dev.drover.server.models.ModelsService;
import dev.drover.server.openapi.DocsService;
import dev.drover.server.openapi.OpenApiService;
import dev.drover.server.ops.OpsService;
import dev.drover.server.runs.RunLeases;
import dev.drover.server.runs.RunTextTermsFollower;
import dev.drover.server.runs.Runs;
import dev.drover.server.runs.RunTokens;
import dev.drover.server.runs.RunsService;
import dev.drover.server.runs.Followups;
import dev.drover.server.runs.RunAttachments;
import dev.drover.server.schedules.Schedules;
import dev.drover.server.schedules.SchedulesService;
import dev.drover.server.skills.SkillCatalog;
import dev.drover.server.skills.Skills;
import dev.drover.server.skills.SkillsService;
import dev.drover.server.sessions.SessionsService;
import dev.drover.server.auth.UrlSigner;
import dev.drover.server.store.Database;
import dev.drover.server.identities.Identities;
import dev.drover.server.identities.IdentitiesService;
import dev.drover.server.runsecrets.RunSecrets;
import dev.drover.server.secrets.SecretKeys;
import dev.drover.server.secrets.Secrets;
import dev.drover.server.secrets.SecretsService;
import dev.drover.server.artifacts.Artifacts;
import dev.drover.server.artifacts.ArtifactsService;
import dev.drover.server.files.FilesService;
import dev.drover.server.transcripts.Transcripts;
import dev.drover.server.transcripts.TranscriptsService;
import dev.drover.server.web.CookieAuth;
import dev.drover.server.web.SignInService;
import dev.drover.server.web.WebService;
import dev.drover.server.web.WebSessions;
import dev.drover.server.workers.Workers;
import dev.drover.server.workers.WorkersService;
import dev.drover.server.webhooks.WebhookDeliveries;
import dev.drover.server.webhooks.WebhookFanOut;
import dev.drover.server.webhooks.WebhookSender;
import dev.drover.server.webhooks.WebhookSettings;
import dev.drover.server.webhooks.WebhookTargets;
import dev.drover.server.webhooks.Webhooks;
import dev.drover.server.webhooks.WebhooksService;
import dev.drover.server.integrations.InboundSettings;
import dev.drover.server.integrations.Integrations;
import io.helidon.webserver.WebServer;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Drover node: opens the store, wires the features, serves HTTP. {@link #start} is used by
 * {@code drover serve} and by every integration test, so tests exercise exactly what users run.
 */
public final class DroverServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DroverServer.class);

    private final ServerConfig config;
    private final Database db;
    private final WebServer web;
    private final List<AutoCloseable> resources;
    private final Accounts accounts;
    private final Runs runs;
    private final Schedules schedules;
    private final EventBus bus;
    private final ApiServices services;
    private final String publicUrl;
    private final Optional<String> createdAdminKey;
    private final String secretsKeySource;
    private final WebSessions webSessions;

    private DroverServer(ServerConfig config, Database db, WebServer web, List<AutoCloseable> resources,
            Accounts accounts, Runs runs, Schedules schedules, EventBus bus, ApiServices services, String publicUrl,
            Optional<String> createdAdminKey, String secretsKeySource, WebSessions webSessions) {
        this.secretsKeySource = secretsKeySource;
        this.webSessions = webSessions;
        this.schedules = schedules;
        this.bus = bus;
        this.services = services;
        this.config = config;
        this.db = db;
        this.web = web;
        this.resources = resources;
        this.accounts = accounts;
        this.runs = runs;
        this.publicUrl = publicUrl;
        this.createdAdminKey = createdAdminKey;
    }

    public static DroverServer start(ServerConfig config) {
        return start(config, Clock.systemUTC());
    }

    /** With another clock: tests move time to fire schedules and expire leases without waiting. */
    public static DroverServer start(ServerConfig config, Clock clock) {
        NodeSetup.requireFreePort(config);
        // checked before anything is opened: a typo in DROVER_FORGE stops the start, not a delivery hours later
        // (and DROVER_BRANCH_PATTERN, DROVER_COMMIT_AUTHOR with it)
        DeliverySettings delivery = DeliverySettings.of(config.forgeEndpoint(), config.env());
        List<AutoCloseable> resources = new ArrayList<>();
        NodeSetup.createPrivately(config.dataDir());
        Database db = Database.open(NodeSetup.database(config));
        resources.add(db);
        try {
            Accounts accounts = new Accounts(db, clock, new RunTokens(db));
            Optional<String> adminKey = Bootstrap.ensureAdmin(accounts, config.dataDir(), config.adminApiKey());
            // the key lives outside the database; a node whose key differs from the database's refuses to start here
            SecretKeys.Loaded secretsKey = SecretKeys.load(config.env(), config.dataDir());
            Secrets secrets = Secrets.open(db, clock, secretsKey.cipher());

            PrometheusMeterRegistry metrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
            new JvmMemoryMetrics().bindTo(metrics);
            new JvmThreadMetrics().bindTo(metrics);

            EventBus bus = new EventBus();
            EventLog log = new EventLog(db, bus);
            bus.published(log.head());
            db.postgresDataSource().ifPresent(ds -> resources.add(new PostgresEventListener(ds, bus, log).start()));
            // the node's one reader of the log: SSE streams and long-polls wait on it, not on the database
            EventTail tail = new EventTail(EventTail.of(log), bus, EventTail.Settings.DEFAULT).start();
            resources.add(tail);
            // after the tail: this node's watchers are handed a commit before the other nodes are told of it
            db.postgresDataSource().ifPresent(ds -> resources.add(new CommitAnnouncer(ds, bus).start()));

            ModelCatalog models = new ModelCatalog(config.env(), config.modelsFile());
            BlobStore blobs = new BlobStore(config.dataDir().resolve("blobs"));
            // The public URL is known only once the port is bound; features get it through this holder.
            PublicUrl url = new PublicUrl(config.publicUrl());
            GitSources git = GitSources.of(config.gitBaseUrl());
            Environments environments = new Environments(db, clock, git, Schedules::namesUsing);
            SkillCatalog catalog = new SkillCatalog(config.dataDir().resolve("git-mirrors"), git::cloneUrl,
                    config.env().get("DROVER_GIT_TOKEN"), clock, NodeSetup.skillsMaxAge(config));
            resources.add(catalog);
            Skills skills = new Skills(db, catalog, environments);
            Identities identities = new Identities(db, clock, environments, secrets, skills, models,
                    Schedules::namesUsingIdentity);
            Runs runs = new Runs(db, log, models, blobs, clock, url, config.teamConcurrency(), skills, identities);
            resources.add(runs);
            if (db.dialect().keepsRunTextTerms()) { // new runs' text terms, after their creation, on every node
                resources.add(new Periodic("run-text-terms", Duration.ofMillis(500), RunTextTermsFollower.BATCH,
                        new RunTextTermsFollower(db)::pass).quiet().start());
            }
            Messages messages = new Messages(db, log, runs, clock);
            RunSecrets runSecrets = new RunSecrets(secrets, environments, runs, identities);
            RunLeases leases = new RunLeases(db, runs, clock, config.leaseDuration(), config.teamConcurrency());
            // every node sweeps expired leases once a second; each expiry is a compare-and-set. It starts once the node
            // listens: its first pass grants every lease a grace period (RunLeases.sweep), which must begin when
            // workers can reach this node again, not while it is still starting (seconds, on a loaded machine)
            Periodic sweeper = new Periodic("lease-sweeper", Duration.ofSeconds(1), RunLeases.EXPIRE_BATCH,
                    () -> leases.sweep(RunLeases.EXPIRE_BATCH));
            resources.add(sweeper);
            UrlSigner signer = UrlSigner.load(db, clock);
            Transcripts transcripts = new Transcripts(db, log, runs, clock);
            Artifacts artifacts = new Artifacts(db, log, runs, blobs, signer, url, clock);
            Deliveries changes = new Deliveries(db, log, runs, clock, delivery);
            Schedules schedules = new Schedules(db, runs, accounts, clock);
            // every node looks for due ticks once a second (cron's resolution is a minute); a tick fires once however
            // many nodes look, and the first pass at start fires the ticks missed while every node was down
            resources.add(new Periodic("schedule-ticker", Duration.ofSeconds(1), Schedules.MAX_DUE_PER_PASS,
                    schedules::fireDue).start());
            WebhookSettings hooks = WebhookSettings.fromEnv(config.env());
            WebhookTargets targets = new WebhookTargets(hooks.allowPrivate());
            Webhooks webhooks = new Webhooks(db, clock, targets);
            WebhookFanOut fanOut = new WebhookFanOut(db, runs, clock);
            WebhookDeliveries deliveries = new WebhookDeliveries(db, clock, hooks, targets,
                    new WebhookSender(hooks.timeout()), metrics);
            // every node turns new events into deliveries and sends the due ones; both passes claim their rows with
            // SKIP LOCKED and write compare-and-sets, so nodes share the work and a dead node's share is picked up
            resources.add(new Periodic("webhook-fan-out", hooks.interval(), WebhookFanOut.BATCH, fanOut::pass).start());
            resources.add(new Periodic("webhook-delivery", hooks.interval(), WebhookDeliveries.BATCH,
                    deliveries::pass).start());
            resources.add(new Periodic("webhook-retention", Duration.ofMinutes(1), WebhookDeliveries.PRUNE_BATCH,
                    deliveries::prune).start());
            // repository events start runs; the comments posted back are sent by passes every node runs
            Integrations integrations = Integrations.of(db, runs, environments, accounts, log,
                    InboundSettings.fromEnv(config.env()), NodeSetup.commentSender(config),
                    "no forge access configured (DROVER_FORGE, DROVER_GIT_TOKEN)", clock, metrics);
            // started once the node listens: an outcome comment holds the run's session link, which needs the URL
            List<Periodic> commentPasses = integrations.passes();
            resources.addAll(commentPasses);
            RegisteredPools pools = new RegisteredPools(db);
            RunAttachments runAttachments = new RunAttachments(db, runs, blobs, signer, url);
            WebSessions webSessions = new WebSessions(db, accounts, clock);
            CookieAuth cookieAuth = new CookieAuth(webSessions, url);
            resources.add(new Periodic("web-session-prune", Duration.ofMinutes(1), 1000, () -> webSessions.prune(1000))
                    .start());
            ApiServices services = new ApiServices(
                    new RunsService(runs, pools, runSecrets, new Followups(db, runs, log, clock), runAttachments),
                    new EventsService(runs, log, tail),
                    new MessagesService(messages, runSecrets),
                    new ModelsService(models),
                    new SessionsService(runs),
                    new TranscriptsService(transcripts, runs, signer, url),
                    new ArtifactsService(artifacts),
                    new EnvironmentsService(environments),
                    new SkillsService(skills),
                    new WorkersService(new Workers(db, leases, bus, tail, clock, transcripts, artifacts, runs,
                            blobs, environments, models, runSecrets, changes)),
                    new SchedulesService(schedules, pools),
                    new WebhooksService(webhooks),
                    new SecretsService(secrets),
                    new IdentitiesService(identities),
                    integrations.service(),
                    new DeliveriesService(changes),
                    new OpenApiService(),
                    new OpsService(db, metrics),
                    new DocsService(),
                    new FilesService(signer, transcripts, artifacts, runAttachments),
                    new WebService(runs, cookieAuth),
                    new SignInService(webSessions, cookieAuth, url));
            Authenticator auth = new Authenticator(accounts, clock);
            accounts.onChange(auth::invalidate); // a key revoked through this node stops working at once
            Problems problems = new Problems(url);
            WebServer web = WebServer.builder()
                    .host(config.host())
                    .port(config.port())
                    .maxPayloadSize(64L * 1024 * 1024)
                    // Responses larger than one write buffer (a runs page) go out in several writes; with Nagle on,
                    // the last one waits for the client's delayed ACK, adding ~40 ms on every keep-alive connection.
                    .connectionOptions(o -> o.tcpNoDelay(true))
                    .shutdownHook(false)
                    .routing(r -> ApiRouting.configure(r, services, auth, cookieAuth, problems, metrics))
                    // refusals before routing (bad request line, 414, 431, 413, bad escapes) are problem+json too
                    .directHandlers(d -> {
                        DirectProblems direct = new DirectProblems(problems);
                        for (DirectHandler.EventType type : DirectHandler.EventType.values()) {
                            d.addHandler(type, direct);
                        }
                    })
                    .build()
                    .start();
            if (!web.isRunning() || web.port() < 0) {
                // Helidon logs the bind failure and returns a server that listens nowhere (port -1)
                web.stop();
                throw NodeSetup.cannotListen(config, "the port is in use or the address is not this host's");
            }
            url.bind(config.host(), web.port());
            LOG.info("Drover listening on {} ({} database)", url.get(), db.dialect().name());
            LOG.info("secrets are encrypted with key {} from {}", secrets.keyId(), secretsKey.source());
            if (db.isPostgres() && !secretsKey.source().equals(SecretKeys.KEY_VAR)) {
                // a second node with its own key file would refuse to start: say so before it happens
                LOG.warn("the secrets key comes from {}; every node of this PostgreSQL database needs the same key, so "
                        + "give them all {} (the content of that file)", secretsKey.source(), SecretKeys.KEY_VAR);
            }
            sweeper.start();
            commentPasses.forEach(Periodic::start);
            return new DroverServer(config, db, web, resources, accounts, runs, schedules, bus, services, url.get(),
                    adminKey, secretsKey.source(), webSessions);
        } catch (RuntimeException e) {
            closeAll(resources);
            throw e;
        }
    }

    /** The API's HTTP services, as routed; the OpenAPI test reads their routes. */
    List<io.helidon.webserver.http.HttpService> apiServices() {
        return ApiRouting.apiServices(services);
    }

    public int port() {
        return web.port();
    }

    /** Base of the public URL, e.g. {@code http://127.0.0.1:8080}; the API lives under {@code /api/v1}. */
    public String publicUrl() {
        return publicUrl;
    }

    public String apiBaseUrl() {
        return publicUrl + ApiRouting.API;
    }

    public Accounts accounts() {
        return accounts;
    }

    /** The runs feature, for the parts of Drover that run in the same process (dispatch, tests). */
    public Runs runs() {
        return runs;
    }

    /** The schedules feature: tests fire due ticks from several nodes at once through it. */
    public Schedules schedules() {
        return schedules;
    }

    public Database database() {
        return db;
    }

    public ServerConfig config() {
        return config;
    }

    /**
     * A one-time dashboard sign-in URL for the key {@code keyId} ({@code drover serve} prints one for the admin at
     * start): single use, valid for ten minutes, its token in the fragment so it never reaches a log or a Referer.
     */
    public String signInLink(String keyId) {
        return publicUrl + "/sign-in#" + webSessions.createLink(keyId);
    }

    public WebSessions webSessions() {
        return webSessions;
    }

    /** The admin key this start created, if it created one. */
    /** Where the secrets key came from: {@code DROVER_SECRETS_KEY} or the key file's path (never the key). */
    public String secretsKeySource() {
        return secretsKeySource;
    }

    public Optional<String> createdAdminKey() {
        return createdAdminKey;
    }

    /** Stops taking requests, lets in-flight ones finish, then closes the store. */
    @Override
    public void close() {
        bus.close();
        // streams end before the web server waits for its requests to finish
        resources.stream().filter(r -> r instanceof EventTail).forEach(r -> ((EventTail) r).close());
        web.stop();
        closeAll(resources);
    }

    private static void closeAll(List<AutoCloseable> resources) {
        for (int i = resources.size() - 1; i >= 0; i--) {
            try {
                resources.get(i).close();
            } catch (Exception e) {
                LOG.warn("error while closing {}", resources.get(i), e);
            }
        }
    }
}
