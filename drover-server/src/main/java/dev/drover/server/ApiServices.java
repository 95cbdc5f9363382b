package dev.drover.server;

import dev.drover.server.artifacts.ArtifactsService;
import dev.drover.server.delivery.DeliveriesService;
import dev.drover.server.environments.EnvironmentsService;
import dev.drover.server.events.EventsService;
import dev.drover.server.files.FilesService;
import dev.drover.server.identities.IdentitiesService;
import dev.drover.server.integrations.IntegrationsService;
import dev.drover.server.messages.MessagesService;
import dev.drover.server.models.ModelsService;
import dev.drover.server.openapi.DocsService;
import dev.drover.server.openapi.OpenApiService;
import dev.drover.server.ops.OpsService;
import dev.drover.server.runs.RunsService;
import dev.drover.server.schedules.SchedulesService;
import dev.drover.server.secrets.SecretsService;
import dev.drover.server.sessions.SessionsService;
import dev.drover.server.skills.SkillsService;
import dev.drover.server.transcripts.TranscriptsService;
import dev.drover.server.web.SignInService;
import dev.drover.server.web.WebService;
import dev.drover.server.webhooks.WebhooksService;
import dev.drover.server.workers.WorkersService;

/**
 * The API's HTTP services, one per resource: built by {@link DroverServer} when it wires a node, routed by
 * {@link ApiRouting}, which therefore needs only this record and not the server class.
 */
record ApiServices(RunsService runs, EventsService events, MessagesService messages, ModelsService models,
        SessionsService sessions, TranscriptsService transcripts, ArtifactsService artifacts,
        EnvironmentsService environments, SkillsService skills, WorkersService workers, SchedulesService schedules,
        WebhooksService webhooks, SecretsService secrets, IdentitiesService identities,
        IntegrationsService integrations, DeliveriesService deliveries, OpenApiService openApi,
        OpsService ops, DocsService docs, FilesService files, WebService web, SignInService signIn) {}
