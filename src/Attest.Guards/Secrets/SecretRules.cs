namespace Attest.Guards.Secrets;

/// <summary>
/// The credential formats Attest recognises, written from each provider's published token format.
/// Provider-prefixed rules score 0.95; rules that need a keyword near a generic-looking value score
/// lower; the generic assignment rule also needs high entropy. Order matters only for overlaps
/// (the first rule to claim a span wins).
/// </summary>
public static class SecretRules
{
    private const string B64 = "A-Za-z0-9+/";
    private const string Url = "A-Za-z0-9_\\-";

    public static IReadOnlyList<SecretRule> All { get; } =
    [
        // Cloud providers
        new("aws_access_key", @"\b(?:AKIA|ASIA|ABIA|ACCA|AIDA|AROA|AIPA|ANPA|ANVA|AGPA)[A-Z2-7]{16}\b", ["AKIA", "ASIA", "ABIA", "ACCA", "AIDA", "AROA", "AIPA", "ANPA", "ANVA", "AGPA"]),
        new("aws_secret_key", @"(?i:aws|amazon)[\w.\-]{0,25}(?i:secret|sk)[\w.\-]{0,20}[""']?\s*[:=]\s*[""']?(?<s>[" + B64 + @"]{40})(?![" + B64 + @"=])", ["aws", "amazon"], 0.95, 3.5),
        new("aws_mws_key", @"\bamzn\.mws\.[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b", ["amzn.mws."]),
        new("gcp_api_key", @"\bAIza[" + Url + @"]{35}(?![" + Url + @"])", ["AIza"]),
        new("gcp_service_account", @"""type""\s*:\s*""service_account""[\s\S]{0,2000}?""private_key""\s*:", ["service_account"]),
        new("gcp_oauth_client_secret", @"\bGOCSPX-[" + Url + @"]{28}(?![" + Url + @"])", ["GOCSPX-"]),
        new("gcp_oauth_access_token", @"\bya29\.[" + Url + @"]{30,}", ["ya29."], 0.9),
        new("azure_storage_key", @"AccountKey=(?<s>[" + B64 + @"]{86}==)", ["AccountKey="]),
        new("azure_sas_token", @"\bsv=\d{4}-\d{2}-\d{2}&[^\s""'<>]{0,300}?sig=(?<s>[A-Za-z0-9%+/=]{30,})", ["sv=20", "sv=19"]),
        new("azure_ad_client_secret", @"(?<![\w~.\-])[a-zA-Z0-9_~.]{3}\dQ~[a-zA-Z0-9_~.\-]{31,34}(?![\w~.\-])", ["Q~"]),
        new("azure_connection_string", @"\bEndpoint=sb://[^;\s]+;SharedAccessKeyName=[^;\s]+;SharedAccessKey=(?<s>[" + B64 + @"=]{40,})", ["SharedAccessKey="]),
        new("alibaba_access_key", @"\bLTAI[A-Za-z0-9]{20}\b", ["LTAI"]),
        new("ibm_cloud_api_key", @"(?i:ibm|bluemix)[\w.\-]{0,20}(?i:api[_\-]?key)[""']?\s*[:=]\s*[""']?(?<s>[" + Url + @"]{44})(?![" + Url + @"])", ["ibm", "bluemix"], 0.9, 3.5),
        new("digitalocean_token", @"\bdo[por]_v1_[a-f0-9]{64}\b", ["_v1_"]),
        new("heroku_api_key", @"(?i:heroku)[\w.\-]{0,25}[""']?\s*[:=]\s*[""']?(?<s>[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\b", ["heroku"], 0.9),
        new("heroku_api_key_v2", @"\bHRKU-[" + Url + @"]{60}(?![" + Url + @"])", ["HRKU-"]),
        new("cloudflare_api_token", @"(?i:cloudflare|cf_api|cf-api)[\w.\-]{0,25}[""']?\s*[:=]\s*[""']?(?<s>[" + Url + @"]{40})(?![" + Url + @"])", ["cloudflare", "cf_api", "cf-api"], 0.9, 3.5),
        new("cloudflare_origin_ca_key", @"\bv1\.0-[a-f0-9]{24}-[a-f0-9]{146}\b", ["v1.0-"]),
        new("fly_io_token", @"\bfo1_[" + Url + @"]{43}(?![" + Url + @"])", ["fo1_"]),
        new("vault_token", @"\bhv[sbr]\.[" + Url + @"]{90,}", ["hvs.", "hvb.", "hvr."]),
        new("terraform_cloud_token", @"\b[A-Za-z0-9]{14}\.atlasv1\.[" + Url + @"=]{60,70}", [".atlasv1."]),
        new("pulumi_token", @"\bpul-[a-f0-9]{40}\b", ["pul-"]),
        new("doppler_token", @"\bdp\.(?:pt|st|sa|ct)\.[A-Za-z0-9]{40,44}\b", ["dp.pt.", "dp.st.", "dp.sa.", "dp.ct."]),
        new("databricks_token", @"\bdapi[a-f0-9]{32}(?:-\d)?\b", ["dapi"]),
        new("planetscale_token", @"\bpscale_(?:tkn|pw|oauth)_[" + Url + @"=.]{32,64}", ["pscale_"]),
        new("okta_api_token", @"(?i:okta|ssws)[\w.\- ]{0,25}[""']?\s*[:=]?\s*[""']?(?<s>00[" + Url + @"]{40})(?![" + Url + @"])", ["okta", "ssws"], 0.9),
        // LLM providers
        new("openai_api_key", @"\bsk-(?:(?:proj|svcacct|admin)-[" + Url + @"]{40,}|[A-Za-z0-9]{20}T3BlbkFJ[A-Za-z0-9]{20})(?![" + Url + @"])", ["sk-"]),
        new("anthropic_api_key", @"\bsk-ant-(?:api|admin)\d{2}-[" + Url + @"]{80,}", ["sk-ant-"]),
        new("huggingface_token", @"\bhf_[A-Za-z]{34}\b", ["hf_"]),
        new("replicate_token", @"\br8_[A-Za-z0-9]{37}\b", ["r8_"]),
        new("groq_api_key", @"\bgsk_[A-Za-z0-9]{52}\b", ["gsk_"]),
        new("perplexity_api_key", @"\bpplx-[A-Za-z0-9]{48}\b", ["pplx-"]),
        new("cohere_api_key", @"(?i:cohere|co_api_key)[\w.\-]{0,20}[""']?\s*[:=]\s*[""']?(?<s>[A-Za-z0-9]{40})\b", ["cohere", "co_api_key"], 0.85, 3.5),
        // Source hosts and package registries
        new("github_pat", @"\bghp_[A-Za-z0-9]{36}\b", ["ghp_"]),
        new("github_oauth", @"\bgho_[A-Za-z0-9]{36}\b", ["gho_"]),
        new("github_user_to_server", @"\bghu_[A-Za-z0-9]{36}\b", ["ghu_"]),
        new("github_server_to_server", @"\bghs_[A-Za-z0-9]{36}\b", ["ghs_"]),
        new("github_refresh_token", @"\bghr_[A-Za-z0-9]{36,76}\b", ["ghr_"]),
        new("github_fine_grained_pat", @"\bgithub_pat_[A-Za-z0-9]{22}_[A-Za-z0-9]{59}\b", ["github_pat_"]),
        new("gitlab_pat", @"\bglpat-[" + Url + @"]{20,}", ["glpat-"]),
        new("gitlab_runner_token", @"\bglrt-[" + Url + @"]{20,}", ["glrt-"]),
        new("gitlab_deploy_token", @"\bgldt-[" + Url + @"]{20,}", ["gldt-"]),
        new("gitlab_pipeline_trigger", @"\bglptt-[a-f0-9]{40}\b", ["glptt-"]),
        new("bitbucket_app_password", @"\bATBB[A-Za-z0-9_=.\-]{32}\b", ["ATBB"]),
        new("npm_token", @"\bnpm_[A-Za-z0-9]{36}\b", ["npm_"]),
        new("npmrc_auth_token", @"_authToken=(?<s>[" + Url + @"]{20,})", ["_authToken="], 0.9),
        new("pypi_token", @"\bpypi-AgEIcHlwaS5vcmc[" + Url + @"]{50,}", ["pypi-"]),
        new("docker_hub_pat", @"\bdckr_pat_[" + Url + @"]{27}(?![" + Url + @"])", ["dckr_pat_"]),
        new("atlassian_api_token", @"\bATATT3[" + Url + @"=]{150,}", ["ATATT3"]),
        new("linear_api_key", @"\blin_api_[A-Za-z0-9]{40}\b", ["lin_api_"]),
        new("notion_token", @"\b(?:secret_[A-Za-z0-9]{43}|ntn_\d{11}[A-Za-z0-9]{35})\b", ["secret_", "ntn_"]),
        new("postman_api_key", @"\bPMAK-[a-f0-9]{24}-[a-f0-9]{34}\b", ["PMAK-"]),
        new("grafana_service_account_token", @"\bglsa_[A-Za-z0-9]{32}_[A-Fa-f0-9]{8}\b", ["glsa_"]),
        new("grafana_cloud_token", @"\bglc_[A-Za-z0-9+/]{32,}={0,2}", ["glc_"]),
        // Payments and commerce
        new("stripe_secret_key", @"\b[sr]k_(?:live|test)_[A-Za-z0-9]{24,99}\b", ["k_live_", "k_test_"]),
        new("stripe_webhook_secret", @"\bwhsec_[A-Za-z0-9]{32,}\b", ["whsec_"]),
        new("square_access_token", @"\b(?:EAAA[" + Url + @"]{60}|sq0atp-[" + Url + @"]{22})(?![" + Url + @"])", ["EAAA", "sq0atp-"]),
        new("square_oauth_secret", @"\bsq0csp-[" + Url + @"]{43}(?![" + Url + @"])", ["sq0csp-"]),
        new("braintree_access_token", @"\baccess_token\$production\$[0-9a-z]{16}\$[0-9a-f]{32}\b", ["access_token$"]),
        new("paypal_client_secret", @"(?i:paypal)[\w.\-]{0,25}(?i:secret)[""']?\s*[:=]\s*[""']?(?<s>E[" + Url + @"]{79})(?![" + Url + @"])", ["paypal"], 0.9),
        new("shopify_token", @"\bshp(?:at|ca|pa|ss)_[a-fA-F0-9]{32}\b", ["shpat_", "shpca_", "shppa_", "shpss_"]),
        // Messaging and e-mail
        new("twilio_api_key", @"\bSK[0-9a-f]{32}\b", ["SK"], 0.85),
        new("twilio_auth_token", @"(?i:twilio)[\w.\-]{0,25}(?i:token|secret)[""']?\s*[:=]\s*[""']?(?<s>[0-9a-f]{32})\b", ["twilio"], 0.9),
        new("sendgrid_api_key", @"\bSG\.[" + Url + @"]{22}\.[" + Url + @"]{43}(?![" + Url + @"])", ["SG."]),
        new("mailgun_api_key", @"\bkey-[0-9a-f]{32}\b", ["key-"], 0.9),
        new("mailchimp_api_key", @"\b[0-9a-f]{32}-us\d{1,2}\b", ["-us"]),
        new("slack_token", @"\bxox[abposr]-(?:\d+-)+[0-9A-Za-z\-]{10,72}", ["xox"]),
        new("slack_app_token", @"\bxapp-\d-[A-Z0-9]+-\d+-[a-f0-9]+\b", ["xapp-"]),
        new("slack_webhook", @"https://hooks\.slack\.com/(?:services|workflows|triggers)/T[A-Z0-9]+/[A-Z0-9]+/[A-Za-z0-9]{20,}", ["hooks.slack.com"]),
        new("discord_webhook", @"https://(?:ptb\.|canary\.)?discord(?:app)?\.com/api/webhooks/\d+/[" + Url + @"]{60,68}", ["discord"]),
        new("discord_bot_token", @"(?i:discord|bot)[\w.\- ]{0,25}[""']?\s*[:=]?\s*[""']?(?<s>[MNO][A-Za-z\d]{23,25}\.[\w\-]{6}\.[\w\-]{27,38})\b", ["discord", "bot"]),
        new("telegram_bot_token", @"(?<!\d)\d{8,10}:AA[" + Url + @"]{33}(?![" + Url + @"])", [":AA"]),
        new("facebook_access_token", @"\bEAACEdEose0cBA[0-9A-Za-z]+", ["EAACEdEose0cBA"]),
        new("twitter_bearer_token", @"\bAAAAAAAAAAAAAAAAAAAAA[A-Za-z0-9%]{30,}", ["AAAAAAAAAAAAAAAAAAAAA"]),
        new("mapbox_secret_token", @"\bsk\.eyJ[" + Url + @"]{50,}\.[" + Url + @"]{20,}", ["sk.eyJ"]),
        // Observability
        new("datadog_api_key", @"(?i:datadog|dd_api_key|dd_app_key|dd-api-key|dd-application-key)[\w.\-]{0,20}[""']?\s*[:=]\s*[""']?(?<s>[0-9a-f]{32}|[0-9a-f]{40})\b", ["datadog", "dd_api", "dd_app", "dd-api", "dd-application"], 0.9),
        new("newrelic_key", @"\b(?:NRAK-[A-Z0-9]{27}|NRJS-[a-f0-9]{19}|NRII-[" + Url + @"]{32})(?![" + Url + @"])", ["NRAK-", "NRJS-", "NRII-"]),
        new("sentry_token", @"\b(?:sntrys_eyJ[A-Za-z0-9+/=_\-]{60,}|sntryu_[a-f0-9]{64})", ["sntrys_", "sntryu_"]),
        new("sentry_dsn", @"https://(?<s>[0-9a-f]{32})@[\w.\-]*\.?ingest\.(?:[a-z]+\.)?sentry\.io/\d+", ["sentry.io"], 0.85),
        // Keys and tokens in standard formats
        new("jwt", @"\beyJ[" + Url + @"]{10,}\.eyJ[" + Url + @"]{10,}\.[" + Url + @"]{10,}", ["eyJ"], 0.9),
        new("private_key_pem", @"-----BEGIN (?:RSA |EC |DSA |ENCRYPTED )?PRIVATE KEY-----(?:[\s\S]{0,8000}?-----END (?:RSA |EC |DSA |ENCRYPTED )?PRIVATE KEY-----)?", ["PRIVATE KEY-----"]),
        new("openssh_private_key", @"-----BEGIN OPENSSH PRIVATE KEY-----(?:[\s\S]{0,8000}?-----END OPENSSH PRIVATE KEY-----)?", ["OPENSSH PRIVATE"]),
        new("pgp_private_key", @"-----BEGIN PGP PRIVATE KEY BLOCK-----(?:[\s\S]{0,16000}?-----END PGP PRIVATE KEY BLOCK-----)?", ["PGP PRIVATE"]),
        new("putty_private_key", @"PuTTY-User-Key-File-\d: [\w\-]+", ["PuTTY-User-Key-File"]),
        new("age_secret_key", @"\bAGE-SECRET-KEY-1[QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L]{58}\b", ["AGE-SECRET-KEY-1"]),
        // Connection strings with credentials
        new("postgres_uri", @"\bpostgres(?:ql)?://[^\s:@/""']+:(?<s>[^\s@/""']+)@[^\s/""']+", ["postgres"], 0.95),
        new("mysql_uri", @"\bmysql(?:x)?://[^\s:@/""']+:(?<s>[^\s@/""']+)@[^\s/""']+", ["mysql"], 0.95),
        new("mongodb_uri", @"\bmongodb(?:\+srv)?://[^\s:@/""']+:(?<s>[^\s@/""']+)@[^\s/""']+", ["mongodb"], 0.95),
        new("redis_uri", @"\brediss?://[^\s:@/""']*:(?<s>[^\s@/""']+)@[^\s/""']+", ["redis"], 0.95),
        new("amqp_uri", @"\bamqps?://[^\s:@/""']+:(?<s>[^\s@/""']+)@[^\s/""']+", ["amqp"], 0.95),
        new("sqlserver_connection_string", @"(?i:Server|Data Source)=[^;\n]+;[^\n]{0,200}?(?i:Password|Pwd)=(?<s>[^;\s""']{6,})", ["password=", "pwd="], 0.9),
        new("basic_auth_url", @"\b(?:https?|ftp|smtp)://[^\s:@/""']+:(?<s>[^\s@/""']{3,})@[^\s/""']+", ["://"], 0.9),
        // Generic: a credential-named key assigned a high-entropy value
        new("generic_assignment", @"(?i:[a-z0-9_.\-]*(?:password|passwd|pwd|secret|token|api[_\-]?key|apikey|access[_\-]?key|private[_\-]?key|client[_\-]?secret|auth[_\-]?key|credentials?)[a-z0-9_.\-]*)[""']?\s*(?:[:=]|=>|:=)\s*[""'`]?(?<s>[^\s""'`,;<>(){}\[\]]{12,200})", ["pass", "pwd", "secret", "token", "key", "credential"], 0.75, 3.3),
    ];
}
