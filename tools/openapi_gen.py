"""Generates drover-server/src/main/resources/openapi/drover-openapi.json.

Usage: python3 tools/openapi_gen.py <oz-agent-api.openapi.yaml> drover-server/src/main/resources/openapi/drover-openapi.json
Schemas shared with the Oz Agent API are copied from its public OpenAPI document (MIT); paths and Drover's
extensions are declared here. OpenApiDocumentTest fails when the document and the routes disagree.
"""
import sys, yaml, json, copy
spec = yaml.safe_load(open(sys.argv[1]))
S = spec['components']['schemas']
keep = ['RunAgentRequest','RunAgentResponse','ListRunsResponse','RunItem','ArtifactItem','PlanArtifact','PullRequestArtifact',
 'ScreenshotArtifact','FileArtifact','PlanArtifactData','PullRequestArtifactData','ScreenshotArtifactData','FileArtifactData',
 'ScheduleInfo','PageInfo','RunStatusMessage','RequestUsage','RunCreatorInfo','RunState','RunSourceType','RunExecutionLocation',
 'AmbientAgentConfig','Harness','HarnessAuthSecrets','MCPServerConfig','Error','AttachmentInput','Scope','PlatformErrorCode',
 'ListModelsResponse','ModelInfo','AgentSkill','ConversationResponse','ConversationStep','ConversationMessage',
 'ConversationMessageRole','ConversationContentBlock','TextContentBlock','ActionCategory','ActionState','ActionContentBlock',
 'ActionResultContentBlock','EventContentBlock','ArtifactResponse','PlanArtifactResponse','PlanArtifactResponseData',
 'ScreenshotArtifactResponse','ScreenshotArtifactResponseData','FileArtifactResponse','FileArtifactResponseData',
 'ScheduledAgentItem','ScheduledAgentHistoryItem','CreateScheduledAgentRequest','UpdateScheduledAgentRequest',
 'ListScheduledAgentsResponse','DeleteScheduledAgentResponse','ProvidersConfig','AwsProviderConfig','GcpProviderConfig',
 'ListEnvironmentsResponse','CloudEnvironment','CloudEnvironmentConfig','GitHubRepo','EnvironmentLastTask',
 'ListAgentsResponse','AgentListItem','AgentListVariant','AgentListSource','AgentListEnvironment']
schemas = {k: copy.deepcopy(S[k]) for k in keep}
def ref_(n): return {'$ref':'#/components/schemas/'+n}
# Drover's extensions
schemas['RunAgentRequest']['properties']['metadata'] = {'type':'object','maxProperties':20,
  'additionalProperties':{'type':'string','maxLength':256},
  'description':'Drover extension (as in newer Oz SDKs): up to 20 immutable string pairs; keys are 1-64 characters of [a-zA-Z0-9._-], values at most 256 bytes. Returned on the run and filterable with metadata[key]=value.'}
schemas['RunAgentRequest']['properties']['attachments']['maxItems'] = 5
schemas['Error']['properties']['type']['description'] = ('A URI identifying the problem type (RFC 7807): '
  '{server}/docs/errors/{error_code}, a page on the Drover server explaining the PlatformErrorCode it ends in.')
schemas['RunItem']['properties']['metadata'] = {'type':'object','additionalProperties':{'type':'string'},'description':'Drover extension: the metadata given at creation.'}
schemas['RunItem']['properties']['interactive'] = {'type':'boolean','description':'Drover extension: whether the run was created interactive.'}
schemas['Harness']['properties']['type']['enum'] = ['oz','claude','codex','gemini','command']
schemas['AmbientAgentConfig']['properties']['budget_usd'] = {'type':'number','format':'double','minimum':0,
  'description':'Drover extension: the most the run may spend on inference (US dollars, priced from the models file); a run that spends it ends FAILED with budget_exceeded.'}
schemas['RequestUsage']['properties']['input_tokens'] = {'type':'integer','format':'int64','description':'Drover extension'}
schemas['RequestUsage']['properties']['output_tokens'] = {'type':'integer','format':'int64','description':'Drover extension'}
schemas['UsageReport'] = {'type':'object','required':['model_id','input_tokens','output_tokens'],'properties':{
  'model_id':{'type':'string'},'input_tokens':{'type':'integer','format':'int64'},'output_tokens':{'type':'integer','format':'int64'}}}
schemas['UsageStatus'] = {'type':'object','properties':{'request_usage':{'$ref':'#/components/schemas/RequestUsage'},
  'budget_usd':{'type':'number'},'budget_exceeded':{'type':'boolean'}}}
schemas['Harness']['properties']['command'] = {'type':'string','maxLength':4096,
  'description':'Drover extension, for type command: the command line to run (sh -c) in the workspace; the prompt is its standard input.'}
schemas['RunEvent'] = {'type':'object','required':['event_type','run_id','occurred_at','sequence'],'properties':{
  'event_type':{'type':'string','description':'See docs/events.md for every type.'},
  'run_id':{'type':'string'},'ref_id':{'type':'string','nullable':True},'execution_id':{'type':'string','nullable':True},
  'occurred_at':{'type':'string','format':'date-time'},'sequence':{'type':'integer','format':'int64'}}}
schemas['ReportEventRequest'] = {'type':'object','required':['event_type'],'properties':{
  'event_type':{'type':'string','enum':['run_in_progress','run_succeeded','run_failed','run_errored','run_blocked','run_cancelled']},
  'execution_id':{'type':'string','description':'Client-assigned execution ID for correlation'},
  'ref_id':{'type':'string'},
  'status_message':{'allOf':[{'$ref':'#/components/schemas/RunStatusMessage'}],'description':'Drover extension: why the run ended (message, error_code, retryable)'}}}
schemas['ReportEventResponse'] = {'type':'object','properties':{'sequence':{'type':'integer','format':'int64'}}}
schemas['SendMessageRequest'] = {'type':'object','required':['to','subject','body','sender_run_id'],'properties':{
  'to':{'type':'array','minItems':1,'maxItems':100,'items':{'type':'string'},'description':'Recipient run IDs'},
  'subject':{'type':'string','maxLength':1024},'body':{'type':'string','maxLength':131072,'description':'Message body (max 128KB)'},
  'sender_run_id':{'type':'string','description':"The sender's run ID; must be visible to the caller"}}}
schemas['SendMessageResponse'] = {'type':'object','properties':{'message_ids':{'type':'array','items':{'type':'string'},
  'description':'One message ID per recipient, in the same order as the to array'}}}
hdr = {'message_id':{'type':'string'},'sender_run_id':{'type':'string'},'subject':{'type':'string'},
  'sent_at':{'type':'string','format':'date-time'},'delivered_at':{'type':'string','format':'date-time','nullable':True},
  'read_at':{'type':'string','format':'date-time','nullable':True}}
hdr['kind'] = {'type':'string','enum':['followup'],'description':'Drover extension: followup for a message sent with POST /agent/runs/{runId}/followups (then sender_run_id is the run itself); absent for a message from another run'}
hdr['mode'] = {'type':'string','enum':['normal','plan','orchestrate'],'description':'Drover extension: the query mode of a follow-up'}
schemas['MessageHeader'] = {'type':'object','properties':hdr}
msg = dict(hdr); msg['body'] = {'type':'string'}
schemas['Message'] = {'type':'object','properties':msg}
schemas['WorkerRegistration'] = {'type':'object','properties':{'name':{'type':'string'},'pool':{'type':'string','default':'default'},
  'slots':{'type':'integer','minimum':1,'maximum':256,'default':1},'host':{'type':'string'}}}
schemas['WorkerInfo'] = {'type':'object','properties':{'worker_id':{'type':'string'},'name':{'type':'string'},'pool':{'type':'string'},
  'slots':{'type':'integer'},'host':{'type':'string'},'registered_at':{'type':'string','format':'date-time'},
  'last_heartbeat_at':{'type':'string','format':'date-time'},'active_runs':{'type':'integer'},
  'lease_seconds':{'type':'integer'},'heartbeat_seconds':{'type':'integer'}}}
schemas['ListWorkersResponse'] = {'type':'object','properties':{'workers':{'type':'array','items':{'$ref':'#/components/schemas/WorkerInfo'}}}}
schemas['ClaimedRun'] = {'type':'object','properties':{'run':{'$ref':'#/components/schemas/RunItem'},
  'lease_expires_at':{'type':'string','format':'date-time'},'attempt':{'type':'integer'},
  'history':{'allOf':[{'$ref':'#/components/schemas/ConversationResponse'}],'description':'The earlier runs of the conversation this run continues'},
  'run_token':{'type':'string','description':'Run-scoped API token for the agent: acts as the run\'s creator until the run ends'},
  'attachments':{'type':'array','items':{'type':'object','properties':{'position':{'type':'integer'},'file_name':{'type':'string'},
    'mime_type':{'type':'string'},'size_bytes':{'type':'integer','format':'int64'}}}}}}
schemas['HeartbeatRequest'] = {'type':'object','properties':{'run_ids':{'type':'array','items':{'type':'string'},'maxItems':1024}}}
schemas['LeaseStatus'] = {'type':'object','properties':{'run_id':{'type':'string'},'state':{'$ref':'#/components/schemas/RunState'},
  'lease_expires_at':{'type':'string','format':'date-time'},'cancel_requested':{'type':'boolean'},
  'lost':{'type':'boolean','description':'The worker no longer holds the run and must stop it'}}}
schemas['HeartbeatResponse'] = {'type':'object','properties':{'leases':{'type':'array','items':{'$ref':'#/components/schemas/LeaseStatus'}}}}
schemas['TranscriptAppend'] = {'type':'object','required':['messages'],'properties':{'messages':{'type':'array','maxItems':100,
  'items':{'type':'object','required':['role','content'],'properties':{'role':{'$ref':'#/components/schemas/ConversationMessageRole'},
  'content':{'type':'array','items':{'$ref':'#/components/schemas/ConversationContentBlock'}}}}}}}
schemas['ArtifactUpload'] = {'type':'object','required':['artifact_type'],'properties':{
  'artifact_type':{'type':'string','enum':['PLAN','PULL_REQUEST','SCREENSHOT','FILE']},
  'filepath':{'type':'string'},'mime_type':{'type':'string'},'description':{'type':'string'},
  'data':{'type':'string','format':'byte','description':'FILE and SCREENSHOT bytes, base64 (at most 25 MiB)'},
  'title':{'type':'string'},'content':{'type':'string','description':'PLAN markdown'},
  'url':{'type':'string','format':'uri'},'branch':{'type':'string'},
  'repository':{'type':'string','description':'PULL_REQUEST: owner/repo the pull request is in (Drover extension); PULL_REQUEST also takes title'}}}
schemas['PullRequestArtifactData']['properties']['title'] = {'type':'string','description':'Drover extension: the pull request\'s title'}
schemas['PullRequestArtifactData']['properties']['repository'] = {'type':'string','description':'Drover extension: owner/repo the pull request is in'}
schemas['AmbientAgentConfig']['properties']['deliver_on_failure'] = {'type':'boolean',
  'description':'Drover extension: deliver the changes of a run that ends FAILED or BLOCKED too, as a draft pull request (SUCCEEDED runs are always delivered); absent takes the environment\'s deliver_on_failure (docs/api.md#delivery).'}
schemas['RepositoryDiff'] = {'type':'object','required':['repository','base_commit','head_commit','branch','files_changed','insertions','deletions','truncated','diff','pushed'],
  'description':'Drover extension: one repository\'s changes by a run, and what became of them (docs/api.md#delivery).','properties':{
  'repository':{'type':'string','description':'owner/repo'},
  'base_commit':{'type':'string','pattern':'^[0-9a-f]{40}$','description':'The commit the run cloned'},
  'head_commit':{'type':'string','pattern':'^[0-9a-f]{40}$','description':'The commit the worker made of the run\'s changes'},
  'branch':{'type':'string','maxLength':255,'description':'Where that commit was put (DROVER_BRANCH_PATTERN)'},
  'files_changed':{'type':'integer','minimum':0},'insertions':{'type':'integer','minimum':0},'deletions':{'type':'integer','minimum':0},
  'truncated':{'type':'boolean','description':'The diff was cut at 5 MiB'},
  'diff':{'type':'string','description':'Unified diff in git\'s format against base_commit (binary files named, not carried)'},
  'pushed':{'type':'boolean','description':'The remote has the branch at head_commit'},
  'delivery_error':{'type':'string','maxLength':4096,'description':'Why the branch was not pushed or the pull request not opened; absent when all went well'}}}
schemas['RunDiffResponse'] = {'type':'object','required':['repos'],'properties':{'repos':{'type':'array','items':ref_('RepositoryDiff'),
  'description':'One entry per repository with changes, by name; empty for a run without changes'}}}
schemas['RunDelivery'] = {'type':'object','description':'What the worker does with the run\'s changes (docs/workers.md#delivery)','properties':{
  'branch':{'type':'string'},'commit_author':{'type':'string','description':'Name <email>'},
  'deliver_on_failure':{'type':'boolean'},'session_link':{'type':'string'},
  'previous_heads':{'type':'object','additionalProperties':{'type':'string'},'description':'owner/repo → the commit an earlier execution of the run pushed (the lease of a follow-up push)'},
  'credential':{'type':'string','description':'The secret to push and open pull requests with (the environment\'s git_secret, whose value is the claim\'s secret of use git); absent: the worker\'s DROVER_GIT_TOKEN'}}}
schemas['ClaimedRun']['properties']['delivery'] = ref_('RunDelivery')
schemas['ClaimedRun']['properties']['execution_id'] = {'type':'string','description':'worker:attempt; sent with every report'}
# environments: providers (cloud credentials) are not supported, so not documented; the rest as the spec has it
del schemas['CloudEnvironmentConfig']['properties']['providers']
schemas['CloudEnvironmentConfig']['description'] = ('The repositories cloned into a run\'s workspace (from the server\'s git base URL, '
  'into <workspace>/<repo>) and the shell commands run there in order before the agent starts. Drover: docker_image is recorded, not used yet.')
schemas['CloudEnvironmentConfig']['required'] = ['name']
schemas['CloudEnvironmentConfig']['properties']['deliver_on_failure'] = {'type':'boolean',
  'description':'Drover extension: deliver the changes of this environment\'s runs that end FAILED or BLOCKED too, as draft pull requests; a run\'s own config.deliver_on_failure wins.'}
schemas['CloudEnvironmentConfig']['properties']['name']['maxLength'] = 256
schemas['CloudEnvironmentConfig']['properties']['description']['maxLength'] = 4096
schemas['CloudEnvironmentConfig']['properties']['github_repos']['maxItems'] = 32
schemas['CloudEnvironmentConfig']['properties']['setup_commands']['maxItems'] = 64
schemas['CloudEnvironmentConfig']['properties']['setup_commands']['items']['maxLength'] = 8192
schemas['CreateEnvironmentRequest'] = {'allOf':[ref_('CloudEnvironmentConfig'),{'type':'object','properties':{'team':{'type':'boolean',
  'description':'Team-owned (true) or personal (false); by default team-owned for a service account or a member of exactly one team, as for runs.'}}}],
  'description':'Drover extension: the body of POST /agent/environments.'}
schemas['DeleteResponse'] = {'type':'object','required':['success'],'properties':{'success':{'type':'boolean'}}}
schemas['RunEnvironment'] = {'type':'object','description':'The environment of a claimed run, resolved by the server',
  'properties':{'uid':{'type':'string'},'name':{'type':'string'},'docker_image':{'type':'string','description':'Informational'},
  'repos':{'type':'array','items':{'type':'object','properties':{'owner':{'type':'string'},'repo':{'type':'string'},
    'clone_url':{'type':'string','description':'${git base URL}/${owner}/${repo}.git; credentials are the worker\'s own (DROVER_GIT_TOKEN)'}}}},
  'setup_commands':{'type':'array','items':{'type':'string'}}}}
schemas['ClaimedRun']['properties']['environment'] = {'allOf':[ref_('RunEnvironment')],
  'description':'config.environment_id resolved; absent without one or when it was deleted since'}
schemas['ClaimedRun']['properties']['execution_id'] = {'type':'string','description':'This hand-over of the run (worker and attempt); sent with every report, which the server refuses once another execution holds the run'}
schemas['ClaimedRun']['properties']['turn'] = {'type':'integer','minimum':1,'description':'1 for the run\'s first execution, one more for each follow-up that continued it after it ended; on a later turn history ends with the run\'s own transcript and the message to answer waits in its inbox as a follow-up'}
schemas['FollowupRequest'] = {'type':'object','required':['message'],'properties':{
  'message':{'type':'string','minLength':1,'description':'What the user says next (at most 128 KiB of UTF-8)'},
  'mode':{'type':'string','enum':['normal','plan','orchestrate'],'default':'normal'},
  'attachments':{'type':'array','maxItems':0,'items':{'type':'object'},'description':'The newer SDK\'s prepared uploads; not supported by Drover (a non-empty list is 400)'}}}
schemas['FollowupResponse'] = {'type':'object','required':['followup_id','outcome'],'properties':{
  'followup_id':{'type':'string','description':'The stored follow-up: the message_id of the inbox message the agent receives'},
  'outcome':{'type':'string','enum':['live_session','queue_pending','handoff_execution'],'description':'live_session: the run is executing and its agent receives the message at its next step; queue_pending: the run has not started and its agent receives it at its first step; handoff_execution: the run had ended and was queued again for a new execution continuing its conversation'},
  'run_id':{'type':'string','description':'Drover extension'},'state':{'allOf':[ref_('RunState')],'description':'Drover extension: the run\'s state right after the follow-up'}}}
schemas['HandoffAttachments'] = {'type':'object','required':['attachments'],'properties':{'attachments':{'type':'array','items':{
  'type':'object','required':['attachment_id','filename','download_url'],'properties':{'attachment_id':{'type':'string'},
  'filename':{'type':'string'},'download_url':{'type':'string','format':'uri','description':'Signed, valid 15 minutes, needs no key'},
  'mime_type':{'type':'string'}}}}}}
schemas['ConversationRedirect'] = {'type':'object','properties':{'session_id':{'type':'string','description':'The live shared session of the conversation\'s newest run; only for a caller who sees that run'}}}
schemas['SessionRedirect'] = {'type':'object','properties':{'conversation_id':{'type':'string'},
    'run_id':{'type':'string','description':'Drover extension: the session\'s run, whenever the caller may see it'}}}

def ref(n): return {'$ref':'#/components/schemas/'+n}
def problem(desc): return {'description':desc,'content':{'application/problem+json':{'schema':ref('Error')}}}
def ok(schema, desc='OK'): return {'description':desc,'content':{'application/json':{'schema':schema}}}
common = {'401':problem('Missing, malformed or revoked API key')}
def op(opid, summary, responses, params=None, body=None, tags=('agent',), desc=None, deprecated=False):
    o = {'operationId':opid,'summary':summary,'tags':list(tags),'security':[{'bearerAuth':[]}]}
    if deprecated: o['deprecated']=True
    if desc: o['description']=desc
    if params: o['parameters']=params
    if body: o['requestBody']={'required':True,'content':{'application/json':{'schema':body}}}
    r = dict(responses); r.update(common); o['responses']=r
    return o
def q(name, schema, desc=None, required=False, explode=None):
    p={'name':name,'in':'query','required':required,'schema':schema}
    if desc: p['description']=desc
    if explode is not None: p['style']='form'; p['explode']=explode
    return p
def path(name, desc=None): 
    p={'name':name,'in':'path','required':True,'schema':{'type':'string'}}
    if desc: p['description']=desc
    return p
def header(name, desc): return {'name':name,'in':'header','required':False,'schema':{'type':'string'},'description':desc}

create_params=[header('Idempotency-Key','Drover extension: the same key and body from the same principal return the original run (200); another body with the key is 409. 1-255 characters.'),
  header('X-Drover-Source','Drover extension: the RunSourceType to record (not SCHEDULED_AGENT); the CLI sends CLI. Default API.'),
  header('X-Drover-Execution-Location','Drover extension: LOCAL for a run executed by its own client, which reports its lifecycle through POST /agent/events/{runId}. Default REMOTE.')]
create_resp={'200':ok(ref('RunAgentResponse'),'Run created'),'400':problem('Invalid request; detail names the field'),
  '404':problem('parent_run_id, conversation_id or config.environment_id is not visible to the caller'),'409':problem('Idempotency-Key reused with a different body')}
list_params = [p for p in spec['paths']['/agent/runs']['get']['parameters']]
# metadata[key]=value, as OpenAPI 3 spells it: a deepObject-style object parameter
list_params.append({'name':'metadata','in':'query','required':False,'style':'deepObject','explode':True,
  'schema':{'type':'object','maxProperties':20,'additionalProperties':{'type':'string'}},
  'description':'Drover extension: metadata[key]=value selects runs whose metadata has this key with this value; give several keys to require all of them (at most 20). Brackets may be percent-encoded, as SDKs do.'})
list_params.append(q('execution_location',ref('RunExecutionLocation')) if not any(p['name']=='execution_location' for p in list_params) else None)
list_params=[p for p in list_params if p]
# the newer Oz SDK's list filters (issue 12 item 5: honoured, or matching nothing, never ignored; docs/api.md)
for p in list_params:
    if p['name']=='source':
        p['schema']={'type':'array','items':ref_('RunSourceType')}; p['style']='form'; p['explode']=True
        p['description']='Filter by run source type; repeat to match any of them (newer SDK).'
    if p['name']=='artifact_type':
        p['schema']['enum']=['PLAN','PULL_REQUEST','SCREENSHOT','FILE','EXTERNAL_REFERENCE']
        p['description']='Filter runs by artifact type. Drover never produces EXTERNAL_REFERENCE artifacts: that value matches no run.'
list_params += [
  q('executor',{'type':'string'},'Newer SDK: the user or agent that executed the run. In Drover always the run\'s creator, so this filters by creator uid.'),
  q('factory_uid',{'type':'array','items':{'type':'string'}},'Newer SDK: runs executed by a factory\'s agent. Drover has no factories: any value matches no run.',explode=True),
  q('factory_only',{'type':'boolean'},'Newer SDK: only runs of factory agents. true matches no run in Drover (no factories).'),
  q('task_status',{'type':'array','items':{'type':'string','enum':['running','failed','blocked','cancelled','complete']}},'Newer SDK: high-level status, repeat for any. running: the run or any run below it is QUEUED, PENDING, CLAIMED or INPROGRESS; failed: FAILED or ERROR; blocked: BLOCKED; cancelled: CANCELLED; complete: SUCCEEDED.',explode=True),
  header('X-Warp-Team-Uid','Newer SDK (team_uid): the active team of a user in several teams; the listing is of that team\'s runs and the caller\'s own. A team the caller is not in is 404. Ignored for service accounts, as the SDK says.'),
  q('automation_id',{'type':'string'},'Newer SDK: runs stamped with metadata automation_id=<value> at creation; the same as metadata[automation_id]. Giving both with different values is a 400.')]
paths = {
 '/agent': {'get': op('listAgents','List available agents (skills)',{'200':ok(ref('ListAgentsResponse')),
    '400':problem('Invalid repository specification or sort_by'),'404':problem('The repository was not found at the git source')},
    spec['paths']['/agent']['get']['parameters'],
    desc='Skills are SKILL.md files under <folder>/skills/ of the agent folders (.agents, .warp, .claude, .codex, .cursor, .gemini, .copilot, .factory, .github, .opencode, .kiro) on the default branch of the repositories of the caller\'s environments (or of repo). Served from a cache renewed in the background after DROVER_SKILLS_MAX_AGE seconds; refresh=true fetches now.')},
 '/agent/run': {'post': op('runAgent','Run an agent task (deprecated alias of POST /agent/runs)',create_resp,create_params,ref('RunAgentRequest'),
    desc='Identical to POST /agent/runs; kept because oz-agent-sdk\'s agent.run() calls it.',deprecated=True)},
 '/agent/runs': {'post': op('createRun','Run an agent task',create_resp,create_params,ref('RunAgentRequest')),
    'get': op('listRuns','List runs',{'200':ok(ref('ListRunsResponse')),'400':problem('Invalid parameter; detail names it'),
        '404':problem('ancestor_run_id is not visible')},list_params,
        desc='Keyset pagination. A listing is a snapshot of the runs that existed at its first page, in the order they had then; fields show current values; filters on mutable fields are evaluated on each page. A cursor used with other filters or another sort is 400.')},
 '/agent/runs/{runId}': {'get': op('getRun','Get run details',{'200':ok(ref('RunItem')),'404':problem('Run not found or not visible')},[path('runId')])},
 '/agent/runs/{runId}/diff': {'get': op('getRunDiff','Get the run\'s changes per repository (Drover extension)',
    {'200':{'description':'The diffs as JSON, or one patch (text/x-diff) for Accept: text/x-diff or format=patch',
      'content':{'application/json':{'schema':ref('RunDiffResponse')},'text/x-diff':{'schema':{'type':'string'}}}},
     '400':problem('format is not json or patch'),'404':problem('Run not found or not visible')},
    [path('runId'),q('format',{'type':'string','enum':['json','patch']},'patch: the raw unified diff of every repository in turn; default json, or patch when Accept asks for text/x-diff only')],
    desc='Computed by the worker when the agent ended and kept in the database, so it outlives the workspace. A run token reads its own lane\'s runs only.')},
 '/agent/runs/{runId}/conversation': {'get': op('getRunConversation','Get normalized run conversation',
    {'200':ok(ref('ConversationResponse')),'404':problem('Run not found')},[path('runId')])},
 '/agent/runs/{runId}/transcript': {'get': op('getRunTranscript','Get run transcript (302 to a signed URL valid 15 minutes)',
    {'302':{'description':'Redirect to a signed, expiring download of the transcript','headers':{'Location':{'schema':{'type':'string','format':'uri'}}}},
     '404':problem('Run not found')},[path('runId')])},
 '/agent/conversations/{conversation_id}': {'get': op('getConversation','Get normalized conversation (every visible run that continued it)',
    {'200':ok(ref('ConversationResponse')),'404':problem('Conversation not found')},[path('conversation_id')])},
 '/agent/runs/{runId}/followups': {'post': op('submitFollowup','Send a follow-up: another turn of the run',
    {'200':ok(ref('FollowupResponse')),'400':problem('Invalid request (message, mode, attachments); detail names the field'),
     '403':problem('An agent\'s run-scoped token follows up only the runs below its own'),'404':problem('Run not found or not visible'),
     '409':problem('Idempotency-Key reused with another body (x-should-retry: false)'),
     '422':problem('A LOCAL run that ended: its client executes it, not Drover')},
    [path('runId'),header('Idempotency-Key','The same key and body from the same principal return the first reply; another body with the key is 409. 1-255 characters.')],
    ref('FollowupRequest'),
    desc='A run that has not ended gets the message in its inbox (kind followup, event new_message): its agent receives it at its next step. A run that ended (SUCCEEDED, FAILED, BLOCKED, ERROR, CANCELLED) is continued: it goes back to QUEUED (event run_continued) for a new execution that starts from the conversation so far and the workspace its last turn left, when its worker still has it. Two follow-ups racing on an ended run continue it once; both messages are kept.')},
 '/agent/runs/{runId}/handoff/attachments': {'get': op('listHandoffAttachments','The files a new execution of the run starts from',
    {'200':ok(ref('HandoffAttachments')),'404':problem('Run not found or not visible')},[path('runId')],
    desc='In Drover: the run\'s input attachments, each with a signed download link valid 15 minutes.')},
 '/agent/conversations/{conversationId}/redirect': {'get': dict(op('checkConversationRedirect','Check whether a conversation should redirect to a live session',
    {'200':ok(ref('ConversationRedirect'),'session_id while the conversation\'s newest run is live and the caller sees it; otherwise an empty object')},
    [path('conversationId')],
    desc='Answered without an Authorization header (the SDK sends none): such a request sees nothing and gets {}, the same bytes as an unknown id or another team\'s. With a key, the caller\'s own conversations redirect.'),
    security=[{},{'bearerAuth':[]}])},
 '/agent/runs/{runId}/cancel': {'post': op('cancelRun','Cancel a run',{'200':ok({'type':'string','description':'The ID of the cancelled run'}),
    '400':problem('The run is already in a terminal state'),'404':problem('Run not found'),
    '409':problem('The run is PENDING; retry in a moment (retryable: true)'),'422':problem('The run is executed locally by its client')},[path('runId')],
    desc='QUEUED runs are cancelled at once; CLAIMED and INPROGRESS runs get a cancel request (event run_cancel_requested) that their worker carries out.')},
 '/agent/events': {'get': op('pollAgentEvents','Poll for events',{'200':ok({'type':'array','items':ref('RunEvent')}),
    '400':problem('Invalid parameter'),'404':problem('A run id is not visible')},
    [q('run_ids',{'type':'array','items':{'type':'string'},'maxItems':100},'Runs to watch (repeat or comma-separate)',True,True),
     q('since',{'type':'integer','format':'int64','default':0,'minimum':0}),
     q('limit',{'type':'integer','default':100,'minimum':1,'maximum':500}),
     q('wait',{'type':'integer','default':0,'minimum':0,'maximum':60},'Drover extension: long-poll up to this many seconds for an event to commit')])},
 '/agent/events/stream': {'get': op('streamAgentEvents','Stream events (Server-Sent Events)',
    {'200':{'description':'text/event-stream; each event has id = sequence, event = event_type, data = the RunEvent JSON','content':{'text/event-stream':{'schema':{'type':'string'}}}},
     '400':problem('Invalid parameter'),'404':problem('A run id is not visible')},
    [q('run_ids',{'type':'array','items':{'type':'string'},'maxItems':100},None,True,True),
     q('since',{'type':'integer','format':'int64','default':0,'minimum':0}),
     q('until_terminal',{'type':'boolean','default':False},'End the stream once every watched run has finished'),
     header('Last-Event-ID','Resume after this sequence (overrides since)')])},
 '/agent/events/{runId}': {'post': op('reportAgentEvent','Report a lifecycle event',{'200':ok(ref('ReportEventResponse')),
    '400':problem('Unknown event_type'),'404':problem('Run not found'),'409':problem('The transition is not legal from the run\'s state')},
    [path('runId')],ref('ReportEventRequest'))},
 '/agent/messages': {'post': op('sendAgentMessage','Send a message to one or more runs',{'200':ok(ref('SendMessageResponse')),
    '400':problem('Invalid request'),'403':problem('An agent\'s run-scoped token sends as its own run only'),'404':problem('A run is not visible'),
    '422':problem('A recipient is in a terminal state; nothing was sent')},
    None,ref('SendMessageRequest'))},
 '/agent/messages/{runId}': {'get': op('listAgentMessages','List inbox message headers',{'200':ok({'type':'array','items':ref('MessageHeader')}),
    '400':problem('Invalid parameter'),'404':problem('Run not found')},
    [path('runId'),q('unread',{'type':'boolean'}),q('since',{'type':'string','format':'date-time'}),
     q('limit',{'type':'integer','default':50,'minimum':1,'maximum':100})])},
 '/agent/messages/{messageId}/read': {'post': op('readAgentMessage','Read a message body (sets read_at)',
    {'200':ok(ref('Message')),'404':problem('Message not found')},[path('messageId')])},
 '/agent/messages/{messageId}/delivered': {'post': op('markAgentMessageDelivered','Mark a message as delivered (idempotent)',
    {'204':{'description':'Delivered'},'404':problem('Message not found')},[path('messageId')])},
 '/agent/artifacts/{artifactUid}': {'get': op('getArtifact','Get artifact details (files and screenshots with a signed download URL, plans inline)',
    {'200':ok(ref('ArtifactResponse')),'404':problem('Artifact not found')},[path('artifactUid')])},
 '/agent/models': {'get': op('listModels','List available models',{'200':ok(ref('ListModelsResponse'))})},
 '/agent/sessions/{sessionUuid}/redirect': {'get': dict(op('getSessionRedirect','Get session redirect',
    {'200':ok(ref('SessionRedirect'),'conversation_id once the run has finished; run_id (extension) whenever the caller sees the run; otherwise an empty object')},[path('sessionUuid')],
    desc='Answered without an Authorization header (the SDK sends none): such a request sees nothing and gets {}, the same bytes as an unknown id or another team\'s.'),
    security=[{},{'bearerAuth':[]}])},
 '/agent/environments': {'get': op('listEnvironments','List environments',{'200':ok(ref('ListEnvironmentsResponse')),
        '400':problem('Invalid parameter')},[p for p in spec['paths']['/agent/environments']['get']['parameters']],
        desc='The environments the caller owns and those of its teams. setup_failed and last_task_created follow real runs.'),
    'post': op('createEnvironment','Create an environment (Drover extension)',{'201':ok(ref('CloudEnvironment'),'Created'),
        '400':problem('Invalid configuration; detail names the field')},None,ref('CreateEnvironmentRequest'))},
 '/agent/environments/{uid}': {'get': op('getEnvironment','Get an environment (Drover extension)',
        {'200':ok(ref('CloudEnvironment')),'404':problem('Environment not found or not visible')},[path('uid')]),
    'put': op('updateEnvironment','Replace an environment\'s configuration (Drover extension)',
        {'200':ok(ref('CloudEnvironment')),'400':problem('Invalid configuration; detail names the field'),
         '404':problem('Environment not found or not visible')},[path('uid')],ref('CloudEnvironmentConfig'),
        desc='Every field is replaced; lists left out become empty. The scope does not change.'),
    'delete': op('deleteEnvironment','Delete an environment (Drover extension)',
        {'200':ok(ref('DeleteResponse')),'404':problem('Environment not found or not visible')},[path('uid')],
        desc='Runs keep their environment_id; a run still queued then fails with resource_not_found when claimed.')},
 '/workers': {'post': op('registerWorker','Register a worker (worker keys only)',{'200':ok(ref('WorkerInfo')),
    '400':problem('Invalid registration'),'403':problem('Not a worker key')},None,ref('WorkerRegistration'),tags=('workers',)),
   'get': op('listWorkers','Workers that heartbeated recently (admin or worker keys)',{'200':ok(ref('ListWorkersResponse')),
    '403':problem('Neither an admin nor a worker key')},tags=('workers',))},
 '/workers/{workerId}/claim': {'post': op('claimRun','Lease the oldest queued run of the worker\'s pool',
    {'200':ok(ref('ClaimedRun'),'A run, now PENDING and leased to the worker'),'204':{'description':'Nothing to run within wait seconds'},
     '403':problem('Not a worker key'),'404':problem('Not this key\'s worker')},
    [path('workerId'),q('wait',{'type':'integer','default':0,'minimum':0,'maximum':60},'Long-poll up to this many seconds')],tags=('workers',))},
 '/workers/{workerId}/runs/{runId}/accept': {'post': op('acceptRun','Take over a claimed run (PENDING → CLAIMED)',
    {'200':ok(ref('LeaseStatus')),'404':problem('Run not leased to this worker'),'409':problem('Run is not PENDING')},
    [path('workerId'),path('runId')],tags=('workers',))},
 '/workers/{workerId}/runs/{runId}/transcript': {'post': op('appendTranscript','Append messages to the transcript of a run the worker holds',
    {'200':ok(ref('ReportEventResponse'),'The sequence of the transcript_appended event'),'400':problem('Invalid messages'),
     '404':problem('Run not held by this worker')},[path('workerId'),path('runId')],ref('TranscriptAppend'),tags=('workers',))},
 '/workers/{workerId}/runs/{runId}/artifacts': {'post': op('recordArtifact','Record an artifact of a run the worker holds',
    {'200':ok({'type':'object','properties':{'artifact_uid':{'type':'string'}}}),'400':problem('Invalid artifact'),
     '404':problem('Run not held by this worker')},[path('workerId'),path('runId')],ref('ArtifactUpload'),tags=('workers',))},
 '/workers/{workerId}/runs/{runId}/deliveries': {'post': op('recordDelivery','Report one repository\'s delivery (commit, push, diff) of a run the worker holds',
    {'200':ok({'type':'object','properties':{'repository':{'type':'string'}}}),'400':problem('Invalid report; detail names the field'),
     '404':problem('Run not held by this worker (or by this execution)')},
    [path('workerId'),path('runId'),header('Idempotency-Key','A retry of a report that took effect answers the first reply'),
     header('X-Drover-Execution-Id','The claim\'s execution id: the report counts only while that execution holds the run')],
    ref('RepositoryDiff'),tags=('workers',),desc='Replaces the repository\'s earlier row of this run (a retry or follow-up) and appends changes_delivered, or delivery_failed when the push or the pull request failed (ref_id = owner/repo), in the same transaction.')},
 '/workers/{workerId}/runs/{runId}/usage': {'post': op('recordUsage','Record the tokens a model call of a held run spent',
    {'200':ok(ref('UsageStatus')),'400':problem('Invalid report'),'404':problem('Run not held by this worker')},
    [path('workerId'),path('runId')],ref('UsageReport'),tags=('workers',))},
 '/workers/{workerId}/runs/{runId}/sandbox-stopped': {'post': op('sandboxStopped','The worker removed the run\'s workspace (is_sandbox_running becomes false)',
    {'204':{'description':'Recorded'},'404':problem('Run not executed by this worker')},[path('workerId'),path('runId')],tags=('workers',))},
 '/workers/{workerId}/runs/{runId}/attachments/{position}': {'get': op('getAttachment','The bytes of a held run\'s attachment',
    {'200':{'description':'The attachment, with its media type','content':{'application/octet-stream':{'schema':{'type':'string','format':'binary'}}}},
     '404':problem('No such attachment of a run held by this worker')},[path('workerId'),path('runId'),path('position')],tags=('workers',))},
 '/workers/{workerId}/heartbeat': {'post': op('heartbeat','Extend the leases of running runs; learn of cancel requests',
    {'200':ok(ref('HeartbeatResponse')),'404':problem('Not this key\'s worker')},[path('workerId')],ref('HeartbeatRequest'),tags=('workers',))},
 '/agent/schedules': {'post': op('createScheduledAgent','Create a scheduled agent',{'201':ok(ref('ScheduledAgentItem'),'Created'),
    '400':problem('Invalid request (missing field, invalid cron expression); detail names the field')},None,ref('CreateScheduledAgentRequest'),
    tags=('schedules',),desc='cron_schedule has five fields (minute hour day-of-month month day-of-week) read in UTC. Each due tick creates one run (source SCHEDULED_AGENT), however many nodes serve the database; ticks missed while no node ran fire once.'),
   'get': op('listScheduledAgents','List scheduled agents (sorted by name)',{'200':ok(ref('ListScheduledAgentsResponse'))},tags=('schedules',))},
 '/agent/schedules/{scheduleId}': {'get': op('getScheduledAgent','Get scheduled agent details',{'200':ok(ref('ScheduledAgentItem')),
    '404':problem('Schedule not found')},[path('scheduleId')],tags=('schedules',)),
   'put': op('updateScheduledAgent','Update a scheduled agent (all fields but agent_config required)',{'200':ok(ref('ScheduledAgentItem')),
    '400':problem('Invalid request; detail names the field'),'404':problem('Schedule not found')},[path('scheduleId')],ref('UpdateScheduledAgentRequest'),tags=('schedules',)),
   'delete': op('deleteScheduledAgent','Delete a scheduled agent',{'200':ok(ref('DeleteScheduledAgentResponse')),
    '404':problem('Schedule not found')},[path('scheduleId')],tags=('schedules',))},
 '/agent/schedules/{scheduleId}/pause': {'post': op('pauseScheduledAgent','Pause a scheduled agent (history.next_run becomes null)',
    {'200':ok(ref('ScheduledAgentItem')),'404':problem('Schedule not found')},[path('scheduleId')],tags=('schedules',))},
 '/agent/schedules/{scheduleId}/resume': {'post': op('resumeScheduledAgent','Resume a scheduled agent from its next tick after now',
    {'200':ok(ref('ScheduledAgentItem')),'404':problem('Schedule not found')},[path('scheduleId')],tags=('schedules',))},
 '/openapi.json': {'get': {'operationId':'getOpenApi','summary':'This document','tags':['meta'],'security':[],
    'responses':{'200':{'description':'OpenAPI 3 document','content':{'application/json':{'schema':{'type':'object'}}}}}}},
}
# webhooks (Drover extension; docs/api.md#webhooks)
WEBHOOK_EVENT_TYPES = ['run_queued','run_pending','run_claimed','run_requeued','run_in_progress','run_succeeded','run_failed',
  'run_blocked','run_errored','run_cancelled','run_cancel_requested','run_continued','new_message','child_agent_started','artifact_created','transcript_appended',
  'changes_delivered','delivery_failed']
schemas['CreateWebhookRequest'] = {'type':'object','required':['url','event_types'],'properties':{
  'url':{'type':'string','format':'uri','maxLength':2048,'description':'http:// or https://, without credentials or fragment'},
  'event_types':{'type':'array','minItems':1,'items':{'type':'string','enum':WEBHOOK_EVENT_TYPES}},
  'description':{'type':'string','maxLength':1000},
  'team':{'type':'boolean','description':'Follow the caller\'s team\'s runs (true) or the caller\'s own (false); by default the team when the caller is a service account or in exactly one team'}}}
schemas['Webhook'] = {'type':'object','required':['id','url','event_types','scope','enabled','consecutive_failures','created_by','created_at','updated_at'],'properties':{
  'id':{'type':'string'},'url':{'type':'string'},'description':{'type':'string'},
  'event_types':{'type':'array','items':{'type':'string'}},'scope':ref('Scope'),
  'enabled':{'type':'boolean'},'disabled_reason':{'type':'string','description':'Why it was disabled (consecutive failed attempts and the last error)'},
  'consecutive_failures':{'type':'integer'},'created_by':{'type':'string'},
  'created_at':{'type':'string','format':'date-time'},'updated_at':{'type':'string','format':'date-time'},
  'secret':{'type':'string','description':'whsec_ and the base64 signing key; only in the reply to creation'}}}
schemas['ListWebhooksResponse'] = {'type':'object','required':['webhooks','page_info'],'properties':{'webhooks':{'type':'array','items':ref('Webhook')},'page_info':ref('PageInfo')}}
schemas['WebhookDelivery'] = {'type':'object','required':['id','webhook_id','event_type','event_sequence','run_id','status','attempts','created_at'],'properties':{
  'id':{'type':'string','description':'The webhook-id header, the same on every attempt'},
  'webhook_id':{'type':'string'},'event_type':{'type':'string'},'event_sequence':{'type':'integer','format':'int64'},'run_id':{'type':'string'},
  'status':{'type':'string','enum':['pending','succeeded','failed']},'attempts':{'type':'integer'},
  'next_attempt_at':{'type':'string','format':'date-time'},'last_attempt_at':{'type':'string','format':'date-time'},
  'response_status':{'type':'integer','description':'The receiver\'s HTTP status at the last attempt'},
  'latency_ms':{'type':'integer','format':'int64'},'error':{'type':'string'},'created_at':{'type':'string','format':'date-time'},
  'attempt_history':{'type':'array','items':ref('WebhookDeliveryAttempt'),'description':'Every attempt, oldest first (redeliveries included); only in GET /webhooks/{webhookId}/deliveries/{deliveryId}'}}}
schemas['WebhookDeliveryAttempt'] = {'type':'object','required':['attempted_at','latency_ms','succeeded'],'properties':{
  'attempted_at':{'type':'string','format':'date-time'},'response_status':{'type':'integer','description':'The receiver\'s HTTP status; absent when there was no answer'},
  'latency_ms':{'type':'integer','format':'int64'},'error':{'type':'string'},'succeeded':{'type':'boolean'}}}
schemas['ListWebhookDeliveriesResponse'] = {'type':'object','required':['deliveries','page_info'],'properties':{'deliveries':{'type':'array','items':ref('WebhookDelivery')},'page_info':ref('PageInfo')}}
hook_403 = problem('A run token or a worker key: webhooks are managed with a user\'s or a service account\'s key')
hook_404 = problem('Webhook not found (or not visible to the caller)')
paths.update({
 '/webhooks': {'post': op('createWebhook','Subscribe a URL to run events',{'201':ok(ref('Webhook'),'Created; the only reply that shows the secret'),
    '400':problem('Invalid request (url, event_types, description, team, or a refused target); detail names the field'),'403':hook_403},
    None,ref('CreateWebhookRequest'),tags=('webhooks',),desc='Deliveries follow the events of the runs the webhook\'s scope owns (the caller\'s team by default, as for schedules), from the moment it is created. The target must resolve to public addresses only unless DROVER_WEBHOOK_ALLOW_PRIVATE=true; it is checked again before every attempt.'),
   'get': op('listWebhooks','List the webhooks the caller can see, oldest first',{'200':ok(ref('ListWebhooksResponse')),'400':problem('Invalid limit or cursor'),'403':hook_403},
    [q('limit',{'type':'integer','minimum':1,'maximum':200,'default':50}),q('cursor',{'type':'string'},'page_info.next_cursor of the previous page')],tags=('webhooks',))},
 '/webhooks/{webhookId}': {'get': op('getWebhook','Get a webhook',{'200':ok(ref('Webhook')),'403':hook_403,'404':hook_404},[path('webhookId')],tags=('webhooks',)),
   'delete': op('deleteWebhook','Delete a webhook and its delivery log',{'200':ok(ref('DeleteResponse')),'403':hook_403,'404':hook_404},[path('webhookId')],tags=('webhooks',))},
 '/webhooks/{webhookId}/enable': {'post': op('enableWebhook','Enable a disabled webhook again',{'200':ok(ref('Webhook')),'403':hook_403,'404':hook_404},
    [path('webhookId')],tags=('webhooks',),desc='Resets consecutive_failures; pending deliveries are due at once. Events that happened while the webhook was disabled are not delivered.')},
 '/webhooks/{webhookId}/deliveries': {'get': op('listWebhookDeliveries','The webhook\'s delivery log, newest first',
    {'200':ok(ref('ListWebhookDeliveriesResponse')),'400':problem('Invalid limit'),'403':hook_403,'404':hook_404},
    [path('webhookId'),q('limit',{'type':'integer','minimum':1,'maximum':200,'default':50}),q('cursor',{'type':'string'},'page_info.next_cursor of the previous page')],tags=('webhooks',))},
 '/webhooks/{webhookId}/deliveries/{deliveryId}': {'get': op('getWebhookDelivery','One delivery with its attempt history',
    {'200':ok(ref('WebhookDelivery')),'403':hook_403,'404':problem('Webhook or delivery not found')},[path('webhookId'),path('deliveryId')],tags=('webhooks',))},
 '/webhooks/{webhookId}/deliveries/{deliveryId}/redeliver': {'post': op('redeliverWebhookDelivery','Send a delivery again, with the same webhook-id',
    {'202':ok(ref('WebhookDelivery'),'Accepted; due at once'),'403':hook_403,'404':problem('Webhook or delivery not found'),
     '409':problem('The webhook is disabled; enable it first')},[path('webhookId'),path('deliveryId')],tags=('webhooks',))},
})
# inbound repository events (Drover extension; docs/api.md#repository-events)
schemas['RunSourceType']['enum'] = schemas['RunSourceType']['enum'] + ['GITHUB_WEBHOOK','GITLAB_WEBHOOK']
schemas['RunSourceType']['description'] += '- GITHUB_WEBHOOK, GITLAB_WEBHOOK: Drover extensions, started by a repository event (a mention or a label); not settable with X-Drover-Source\n'
schemas['GitHubRepo']['properties']['events'] = {'type':'boolean','description':'Drover extension: marks this environment as the one whose runs the repository\'s events start, among the environments of the scope that listed the repository first (docs/api.md#repository-events)'}
schemas['ForgeEventReply'] = {'type':'object','required':['status'],'properties':{
  'status':{'type':'string','enum':['started','replayed','ignored']},
  'run_id':{'type':'string','description':'The run this delivery started (now, or the first time it was received)'},
  'reason':{'type':'string','description':'Why nothing was started'}}}
def forge_op(opid, summary, auth, events, desc):
    o = op(opid, summary, {'201':ok(ref('ForgeEventReply'),'A run was started'),
      '200':ok(ref('ForgeEventReply'),'Nothing started: ignored (with the reason), or a replayed delivery (with its run)'),
      '400':problem('A required header is missing or the body is not a JSON object; detail names it'),
      '401':problem('The signature or token does not match the configured secret'),
      '404':problem('The integration is not configured (the endpoint does not exist)'),
      '413':problem('The body is larger than 2 MiB'),
      '422':problem('The environment listing the repository cannot start runs (its creator no longer exists)')},
      [header(h, d) for h, d in auth], None, tags=('integrations',), desc=desc)
    o['security'] = []
    o['requestBody'] = {'required':True,'content':{'application/json':{'schema':{'type':'object','description':'The forge\'s webhook payload ('+events+')'}}}}
    return o
paths.update({
 '/integrations/github/webhook': {'post': forge_op('receiveGitHubWebhook','A GitHub repository event',
    [('X-Hub-Signature-256','sha256= and the hex HMAC-SHA256 of the raw body with DROVER_GITHUB_WEBHOOK_SECRET (required)'),
     ('X-GitHub-Event','The event name (required)'),('X-GitHub-Delivery','The delivery id: the replay key (required)')],
    'issue_comment, issues',
    'No API key: authenticated by the signature. issue_comment (created) mentioning DROVER_MENTION by an author whose author_association is in DROVER_GITHUB_TRIGGER_ASSOCIATIONS, and issues (labeled) with DROVER_TRIGGER_LABEL, start a run in the oldest environment listing the repository.')},
 '/integrations/gitlab/webhook': {'post': forge_op('receiveGitLabWebhook','A GitLab project event',
    [('X-Gitlab-Token','DROVER_GITLAB_WEBHOOK_TOKEN (required)'),('X-Gitlab-Event','The event name (required)'),
     ('Idempotency-Key','The replay key, the same on every retry of an event (this or X-Gitlab-Event-UUID is required)'),
     ('X-Gitlab-Event-UUID','The replay key when Idempotency-Key is absent (older GitLab)')],
    'Note Hook, Issue Hook',
    'No API key: authenticated by the token. Note Hook on an issue or merge request mentioning DROVER_MENTION, and Issue Hook adding DROVER_TRIGGER_LABEL, by a user in DROVER_GITLAB_TRIGGER_USERS, start a run in the oldest environment listing the project.')},
})
# managed secrets (Drover extension; docs/api.md#secrets): the Oz API names them (HarnessAuthSecrets) but has no endpoints
SECRET_NAME = {'type':'string','pattern':'^[A-Za-z_][A-Za-z0-9_]{0,127}$','description':'The environment variable the value is injected as'}
schemas['HarnessAuthSecrets']['properties']['codex_auth_secret_name'] = {'type':'string','description':
  'Drover (newer Oz SDK): a managed secret injected as CODEX_API_KEY when the harness is codex.'}
schemas['HarnessAuthSecrets']['properties']['gemini_auth_secret_name'] = {'type':'string','description':
  'Drover (newer Oz SDK): a managed secret injected as GEMINI_API_KEY when the harness is gemini.'}
schemas['HarnessAuthSecrets']['properties']['claude_auth_secret_name']['description'] += (
  'Drover: injected as ANTHROPIC_API_KEY, or as CLAUDE_CODE_OAUTH_TOKEN when the value is an OAuth token (sk-ant-oat...).')
schemas['CloudEnvironmentConfig']['properties']['secrets'] = {'type':'array','maxItems':64,'items':SECRET_NAME,
  'description':'Drover extension: managed secrets injected as environment variables of the same names into the setup commands and the agent; a run in the environment is refused (400) while one is not visible to its creator.'}
schemas['RunEnvironment']['properties']['secrets'] = {'type':'array','items':{'type':'string'},'description':'The names of the environment\'s secrets'}
schemas['CloudEnvironmentConfig']['properties']['git_secret'] = dict(SECRET_NAME, description=
  'Drover extension: a managed secret of the environment\'s own scope that the worker clones, pushes and opens pull requests with, '
  'in place of its DROVER_GIT_TOKEN; never given to setup commands or the agent. A run in the environment is refused (400) while the '
  'environment\'s scope has no secret of that name.')
schemas['RunEnvironment']['properties']['git_secret'] = {'type':'string','description':'The environment\'s git_secret: its value is the claim\'s secret of use git'}
schemas['RunSecret'] = {'type':'object','required':['name','value','use'],'properties':{'name':{'type':'string'},
  'value':{'type':'string'},'use':{'type':'string','enum':['environment','harness_auth','git'],
  'description':'environment: a variable of the run\'s processes; harness_auth: the CLI harness\'s credential; git: the worker\'s credential for the run\'s clones, push and forge calls, given to no process'}}}
schemas['ClaimedRun']['properties']['secrets'] = {'type':'array','items':ref_('RunSecret'),
  'description':'The values of the run\'s secrets (its environment\'s, and the auth secret of its CLI harness): in this answer only'}
schemas['ClaimedRun']['properties']['secrets_error'] = {'type':'string',
  'description':'Why the secrets could not all be given (deleted since the run was created, or a key this server lacks): the worker fails the run'}
schemas['ManagedSecret'] = {'type':'object','required':['uid','name','scope','creator','updated_by','created_at','updated_at'],
  'description':'Drover extension: a managed secret, never with its value','properties':{
  'uid':{'type':'string'},'name':{'type':'string'},'description':{'type':'string'},'scope':ref('Scope'),
  'creator':ref('RunCreatorInfo'),'updated_by':ref('RunCreatorInfo'),
  'created_at':{'type':'string','format':'date-time'},'updated_at':{'type':'string','format':'date-time'}}}
schemas['CreateSecretRequest'] = {'type':'object','required':['name','value'],'properties':{'name':SECRET_NAME,
  'value':{'type':'string','minLength':1,'description':'At most 64 KiB of UTF-8, no NUL. Write-only: no response, event or log shows it'},
  'description':{'type':'string','maxLength':1024},
  'team':{'type':'boolean','description':'Team-owned (true) or personal (false); by default team-owned for a service account or a member of exactly one team'},
  'team_id':{'type':'string','description':'The owning team, required for a team secret when the caller is in several teams'}}}
schemas['UpdateSecretRequest'] = {'type':'object','required':['value'],'properties':{
  'value':{'type':'string','minLength':1,'description':'The new value (at most 64 KiB)'},'description':{'type':'string','maxLength':1024}}}
schemas['ListSecretsResponse'] = {'type':'object','required':['secrets'],'properties':{'secrets':{'type':'array','items':ref('ManagedSecret')}}}
sec_403 = problem('A run-scoped token: agents cannot list, read or change secrets')
sec_404 = problem('Secret not found (or not visible to the caller)')
paths.update({
 '/secrets': {'post': op('createSecret','Create a managed secret',{'201':ok(ref('ManagedSecret'),'Created (without the value)'),
    '400':problem('Invalid request; detail names the field (name, value, description, team, team_id)'),'403':sec_403,
    '404':problem('team_id names a team the caller is not in'),'409':problem('A secret of that name exists in that scope')},
    None,ref('CreateSecretRequest'),tags=('secrets',),desc='The value is encrypted at rest (AES-256-GCM, key outside the database) and only ever sent to the worker that holds the lease of a run using it.'),
   'get': op('listSecrets','List the secrets the caller can see (its own and its teams\')',{'200':ok(ref('ListSecretsResponse')),'403':sec_403},tags=('secrets',))},
 '/secrets/{secretId}': {'get': op('getSecret','Get a secret (never its value)',{'200':ok(ref('ManagedSecret')),'403':sec_403,'404':sec_404},[path('secretId')],tags=('secrets',)),
   'put': op('updateSecret','Replace a secret\'s value and description',{'200':ok(ref('ManagedSecret')),'400':problem('Invalid value or description'),
     '403':sec_403,'404':sec_404},[path('secretId')],ref('UpdateSecretRequest'),tags=('secrets',),desc='Runs claimed from now on get the new value.'),
   'delete': op('deleteSecret','Delete a secret',{'200':ok(ref('DeleteResponse')),'403':sec_403,'404':sec_404},[path('secretId')],tags=('secrets',),
     desc='Runs created before and not yet claimed then fail with resource_not_found instead of starting without it.')},
})
# agent identities (the spec's createAgent/listAgents/updateAgent/deleteAgent, the newer SDK's get and fields; docs/api.md#agent-identities)
schemas['SecretRef'] = {'type':'object','required':['name'],'properties':{'name':SECRET_NAME},'description':'A managed secret of the identity\'s team, by name'}
ident_props = {
  'description':{'type':'string','maxLength':1024,'description':'Newer Oz SDK'},
  'prompt':{'type':'string','description':'Newer Oz SDK: the base prompt of the identity\'s runs (config.base_prompt under the run\'s own)'},
  'skills':{'type':'array','maxItems':16,'items':{'type':'string'},'description':'Newer Oz SDK: skill specs, stored in their canonical form (owner/repo:path/SKILL.md); each run gets their instructions'},
  'secrets':{'type':'array','maxItems':32,'items':ref_('SecretRef'),'description':'Newer Oz SDK: managed secrets of the team, given to each run like its environment\'s'},
  'harness':ref_('Harness'),
  'base_model':{'type':'string','description':'Newer Oz SDK: the model of the identity\'s runs (their config.model_id unless they set one)'},
  'harness_auth_secrets':ref_('HarnessAuthSecrets'),
  'environment_id':{'type':'string','description':'Newer Oz SDK: the environment of the identity\'s runs, one of its team\'s'},
  'mcp_servers':{'type':'object','additionalProperties':ref_('MCPServerConfig'),'description':'Newer Oz SDK: merged with a run\'s by server name, the run\'s winning'},
  'worker_host':{'type':'string','description':'Newer Oz SDK: the worker pool of the identity\'s runs'}}
schemas['CreateAgentRequest'] = copy.deepcopy(S['CreateAgentRequest'])
schemas['CreateAgentRequest']['properties'].update(copy.deepcopy(ident_props))
schemas['CreateAgentRequest']['properties']['team_id'] = {'type':'string','description':'Drover extension: the owning team, for a caller in several teams'}
schemas['UpdateAgentRequest'] = copy.deepcopy(S['UpdateAgentRequest'])
schemas['UpdateAgentRequest']['properties'].update(copy.deepcopy(ident_props))
schemas['UpdateAgentRequest']['description'] = 'A partial update (newer Oz SDK): a field left out or null stays, an empty one ("", [], {}) is cleared, any other value replaces it whole.'
schemas['AgentResponse'] = copy.deepcopy(S['AgentResponse'])
schemas['AgentResponse']['required'] = ['uid','name','available','created_at','updated_at','skills','secrets','memory','scope']
schemas['AgentResponse']['properties'].update(copy.deepcopy(ident_props))
schemas['AgentResponse']['properties'].update({
  'updated_at':{'type':'string','format':'date-time'},
  'memory':{'type':'object','description':'Newer Oz SDK: memory settings; Drover keeps no memory across runs, so always no stores and auto-memory off',
    'properties':{'attached_stores':{'type':'array','items':{'type':'object'}},'auto_memory':{'type':'object','properties':{'enabled':{'type':'boolean'}}}}},
  'scope':ref_('Scope'),'creator':ref_('RunCreatorInfo')})
schemas['AgentResponse']['properties']['available']['description'] += ' (Drover: always true; a team has at most 100 identities)'
schemas['ListAgentIdentitiesResponse'] = copy.deepcopy(S['ListAgentIdentitiesResponse'])
schemas['RunAgentRequest']['properties']['agent_identity_uid']['description'] += (' Drover: the run is created by the identity'
  ' (creator type service_account, uid the identity\'s), owned by its team, and its configuration is the identity\'s under the'
  ' request\'s (field by field); a run-scoped token cannot name one (403), a personal run (team: false) is a 400.')
schemas['RunItem']['properties']['agent_identity_uid'] = {'type':'string','description':'Drover extension: the agent identity the run acted as (agent_identity_uid of its creation, or its schedule\'s agent_uid); kept after the identity is deleted'}
for n in ('CreateScheduledAgentRequest','UpdateScheduledAgentRequest','ScheduledAgentItem'):
    schemas[n]['properties']['agent_uid'] = {'type':'string','description':'Newer Oz SDK: the agent identity (of the schedule\'s team) its runs act as'
      + ('; left out keeps it, "" removes it' if n=='UpdateScheduledAgentRequest' else '')}
id_400 = problem('The caller is in several teams (say which with team_id) or in none')
id_403 = problem('Only people manage agent identities: a service account or a run-scoped token is refused')
id_404 = problem('Agent identity not found (or of another team)')
paths.update({
 '/agent/identities': {'post': op('createAgent','Create an agent identity for the caller\'s team',{'201':ok(ref('AgentResponse'),'Created'),
    '400':problem('Invalid request (empty name, several teams or none, an environment, skill or secret the team lacks); detail names the field'),
    '403':problem('Not a person, or the team already has 100 identities'),'404':problem('team_id names a team the caller is not in')},
    None,ref('CreateAgentRequest')),
   'get': op('listAgentIdentities','List the agent identities of the caller\'s team (oldest first; no pages: at most 100)',
    {'200':ok(ref('ListAgentIdentitiesResponse')),'400':id_400,'403':id_403,'404':problem('team_id names a team the caller is not in')},
    [q('team_id',{'type':'string'},'Drover extension: which of the caller\'s teams')])},
 '/agent/identities/{uid}': {'get': op('getAgent','Get an agent identity',{'200':ok(ref('AgentResponse')),'403':id_403,'404':id_404},[path('uid')]),
   'put': op('updateAgent','Update an agent identity',{'200':ok(ref('AgentResponse')),'400':problem('Invalid request; detail names the field'),
     '403':id_403,'404':id_404},[path('uid')],ref('UpdateAgentRequest')),
   'delete': op('deleteAgent','Delete an agent identity',{'204':{'description':'Deleted'},'403':id_403,'404':id_404,
     '409':problem('A schedule\'s runs act as the identity; change or delete the schedule first (not retryable)')},[path('uid')],
     desc='Runs it executed keep showing it (creator, agent_identity_uid); runs queued before still run as it. Its API keys are revoked in the same transaction.')},
})
# the newer Oz SDK's request and response fields (issue 12 item 5; docs/api.md "Fields of the newer SDK")
MODE = {'type':'string','enum':['normal','plan','orchestrate'],'description':'Newer SDK: the query mode (default normal). The built-in oz harness runs all three: plan inspects without changing anything and publishes a PLAN artifact; orchestrate splits the work among child runs. Other harnesses take normal only: plan or orchestrate with them is a 400 naming mode (docs/api.md "Modes").'}
schemas['RunAgentRequest']['properties']['mode'] = MODE
schemas['RunAgentRequest']['description'] = schemas['RunAgentRequest'].get('description','') + 'Drover: config.skills with one spec counts as a skill (no prompt needed).\n'
schemas['AmbientAgentConfig']['properties']['skills'] = {'type':'array','maxItems':1,'items':{'type':'string','maxLength':1024},
  'description':'Newer SDK: ordered skill specs, exclusive of skill_spec. Drover runs one skill per run: one entry is the run\'s skill (as skill_spec); more is a 400.'}
schemas['AmbientAgentConfig']['properties']['computer_use_enabled']['description'] += 'Drover: true is refused with 400 (no computer use); false is accepted.\n'
schemas['AmbientAgentConfig']['properties']['runner_id'] = {'type':'string','description':'Newer SDK. Refused by Drover with 400 naming it: runs go to the worker pool named by worker_host.'}
schemas['Harness']['properties']['type']['enum'] = ['oz','claude','codex','gemini','command']
schemas['Harness']['properties']['model_id'] = {'type':'string','maxLength':128,'description':'Newer SDK: the model of a claude, codex or gemini harness, given to its CLI as --model (config.model_id stays the built-in harness\'s model; for a CLI harness it is the fallback). 400 for the oz and command harnesses.'}
schemas['Harness']['properties']['reasoning_level'] = {'type':'string','enum':['low','medium','high'],'description':'Newer SDK: passed to the codex CLI as -c model_reasoning_effort; the claude and gemini CLIs have no such setting, so it is a 400 for them (and for oz/command).'}
schemas['RunItem']['properties']['executor'] = {'allOf':[ref_('RunCreatorInfo')],'description':'Newer SDK: who executed the run; in Drover always its creator.'}
schemas['RunItem']['properties']['is_run_type_cancellable'] = {'type':'boolean','description':'Newer SDK: false for LOCAL runs (their client executes them; cancel is 422), true otherwise. Independent of the state.'}
schemas['RunItem']['properties']['run_time'] = {'type':'string','description':'Newer SDK: ISO 8601 duration (whole seconds) from started_at to the run\'s end, or to now while it runs; absent before it starts.'}
schemas['RunStatusMessage']['properties']['session_debug_until'] = {'type':'string','format':'date-time','description':'Newer SDK. Never present in Drover: no session is kept open after a run fails.'}
schemas['RequestUsage']['description'] = 'Resource usage of the run. Drover: inference_cost and compute_cost are in credits, one credit = one US cent of the model catalog\'s prices; compute is not charged (0).'
schemas['RequestUsage']['properties']['inference_cost']['description'] = 'Credits consumed by LLM inference (Drover: inference_cost_usd x 100)'
schemas['RequestUsage']['properties']['compute_cost']['description'] = 'Credits consumed by compute (Drover: 0)'
schemas['RequestUsage']['properties']['total_tokens'] = {'type':'integer','format':'int64','description':'Newer SDK: input plus output tokens'}
schemas['RequestUsage']['properties']['inference_cost_usd'] = {'type':'number','format':'double','description':'Newer SDK: inference cost in US dollars at the model catalog\'s prices'}
schemas['RequestUsage']['properties']['compute_cost_usd'] = {'type':'number','format':'double','description':'Newer SDK: 0 (Drover does not charge compute)'}
TOKENS = {'type':'object','properties':{k:{'type':'integer','format':'int64'} for k in ['input','output','input_cache_read','input_cache_write']}}
CENTS = {'type':'object','properties':{k:{'type':'number'} for k in ['input_cost_in_cents','output_cost_in_cents','input_cache_read_cost_in_cents','input_cache_write_cost_in_cents']}}
schemas['UsageByCategory'] = {'type':'object','required':['platform_usage_in_cents'],'description':'Newer SDK: usage of one category. Drover has one category, primary_agent, with inference by model under byok_inference_usage (workers call providers with the operator\'s own keys).','properties':{
  'platform_usage_in_cents':{'type':'number'},'byok_inference_usage':{'type':'object','additionalProperties':{'type':'object','properties':{
    'cost_in_cents':CENTS,'token_count':TOKENS,'web_search_cost_in_cents':{'type':'number'},'web_search_count':{'type':'integer'}}}}}}
schemas['RequestUsage']['properties']['usage_by_category'] = {'type':'object','additionalProperties':ref_('UsageByCategory'),'description':'Newer SDK: by usage category, then model id'}
schemas['RunSourceType']['enum'] = ['LINEAR','API','SLACK','TEAMS','LOCAL','SCHEDULED_AGENT','WEB_APP','GITHUB_ACTION','CLOUD_MODE','CLI','JIRA',
  'SELF_IMPROVEMENT','GITHUB_WEBHOOK','GITLAB_WEBHOOK','AZURE_DEVOPS_WEBHOOK','AUTOFIX','RUN_SCORER','ORCHESTRATION','BENCHMARK_TRIAL','CREATE_BENCHMARK_TASK','CUSTOM_WEBHOOK']
schemas['RunSourceType']['description'] = ('Source that created the run (the newer SDK\'s values). Drover produces API, CLI (X-Drover-Source), LOCAL, '
  'SCHEDULED_AGENT (schedules), ORCHESTRATION (child runs an agent creates with its run token) and GITHUB_WEBHOOK/GITLAB_WEBHOOK '
  '(repository events, docs/api.md); every value is accepted as a filter.')
META = {'type':'object','maxProperties':20,'additionalProperties':{'type':'string','maxLength':256},'description':'Newer SDK: metadata given to every run the schedule creates (rules as a run\'s metadata)'}
for n in ('CreateScheduledAgentRequest','UpdateScheduledAgentRequest'):
    schemas[n]['properties']['metadata'] = META
    schemas[n]['properties']['mode'] = dict(MODE, description='Newer SDK: the mode of the runs it creates (as a run\'s mode)')
schemas['ScheduledAgentItem']['properties']['mode'] = {'type':'string','enum':['plan','orchestrate'],'description':'The mode of the runs it creates; absent: normal'}
schemas['ClaimedRun']['properties']['mode'] = {'type':'string','enum':['plan','orchestrate'],'description':'The run\'s mode for the built-in harness; absent: normal'}
schemas['ScheduledAgentItem']['properties']['metadata'] = {'type':'object','additionalProperties':{'type':'string'},'description':'The metadata the schedule gives its runs'}
schemas['CloudEnvironmentConfig']['properties']['failure_session_retention_minutes'] = {'type':'integer','description':'Newer SDK. Refused by Drover with 400 naming it: a failed run\'s workspace is retired when the run ends.'}
doc = {'openapi':'3.0.3','info':{'title':'Drover API','version':'0.1.0',
  'description':'Drover speaks the Oz Agent API. Schemas marked as in the Oz Agent API are taken from its public OpenAPI document (MIT licence, (c) Warp); Drover extensions are described where they appear. Errors are RFC 7807 application/problem+json.',
  'license':{'name':'MIT (schemas from the Oz Agent API OpenAPI document)'}},
  'servers':[{'url':'/api/v1'}],'tags':[{'name':'agent'},{'name':'schedules'},{'name':'webhooks','description':'Drover extension: outbound webhooks, signed the Standard Webhooks way (docs/api.md#webhooks)'},{'name':'integrations','description':'Drover extension: repository events from GitHub and GitLab start runs (docs/api.md#repository-events)'},{'name':'secrets','description':'Drover extension: managed secrets (docs/api.md#secrets)'},{'name':'workers','description':'Drover\'s worker protocol (docs/workers.md)'},{'name':'meta'}],'paths':paths,
  'components':{'securitySchemes':{'bearerAuth':{'type':'http','scheme':'bearer','description':'A Drover API key'}},'schemas':schemas}}
# every $ref must resolve
def refs(o):
    if isinstance(o, dict):
        for k,v in o.items():
            if k=='$ref': yield v
            else: yield from refs(v)
    elif isinstance(o, list):
        for v in o: yield from refs(v)
missing = {r for r in refs(doc) if r.split('/')[-1] not in schemas}
assert not missing, missing
json.dump(doc, open(sys.argv[2],'w'), indent=1)
print(len(json.dumps(doc)))
