namespace Attest.Bench.Guards.Data;

/// <summary>
/// Seeded generator of synthetic credentials in each published format (never real keys), and of
/// look-alike negatives (UUIDs, git SHAs, SHA-256 digests, base64 blobs, identifiers). Shared by the
/// tests and the quality benchmark.
/// </summary>
public static class SecretSamples
{
    private const string Up = "ABCDEFGHIJKLMNOPQRSTUVWXYZ", Lo = "abcdefghijklmnopqrstuvwxyz", Dg = "0123456789", Hx = "0123456789abcdef";
    private const string An = Up + Lo + Dg, Ur = An + "_-", B64 = An + "+/";

    private static string R(Random r, string alphabet, int n)
    {
        var c = new char[n];
        for (int i = 0; i < n; i++) c[i] = alphabet[r.Next(alphabet.Length)];
        // Mixed alphabets: make sure a digit and both cases appear, as real random tokens of this length do.
        if (n >= 8 && alphabet.Contains('a', StringComparison.Ordinal) && alphabet.Contains('A', StringComparison.Ordinal) && alphabet.Contains('0', StringComparison.Ordinal))
        {
            c[0] = Up[r.Next(26)];
            c[1] = Lo[r.Next(26)];
            c[2] = Dg[r.Next(10)];
        }
        return new string(c);
    }

    private static string Uuid(Random r) => $"{R(r, Hx, 8)}-{R(r, Hx, 4)}-{R(r, Hx, 4)}-{R(r, Hx, 4)}-{R(r, Hx, 12)}";

    /// <summary>Rule id → a generator of a text containing one credential of that format.</summary>
    public static IReadOnlyDictionary<string, Func<Random, string>> Positives { get; } = new Dictionary<string, Func<Random, string>>
    {
        ["aws_access_key"] = r => $"aws_access_key_id = AKIA{R(r, Up + "234567", 16)}",
        ["aws_secret_key"] = r => $"aws_secret_access_key = {R(r, B64, 40)}",
        ["aws_mws_key"] = r => $"mws: amzn.mws.{Uuid(r)}",
        ["gcp_api_key"] = r => $"key=AIza{R(r, Ur, 35)}",
        ["gcp_service_account"] = r => $"{{\"type\": \"service_account\", \"project_id\": \"p\", \"private_key_id\": \"{R(r, Hx, 40)}\", \"private_key\": \"x\"}}",
        ["gcp_oauth_client_secret"] = r => $"client_secret GOCSPX-{R(r, Ur, 28)}",
        ["gcp_oauth_access_token"] = r => $"Bearer ya29.{R(r, Ur, 60)}",
        ["azure_storage_key"] = r => $"DefaultEndpointsProtocol=https;AccountName=acct;AccountKey={R(r, B64, 86)}==;EndpointSuffix=core.windows.net",
        ["azure_sas_token"] = r => $"https://acct.blob.core.windows.net/c?sv=2022-11-02&ss=b&srt=co&sp=rl&se=2026-01-01&sig={R(r, An, 43)}%3D",
        ["azure_ad_client_secret"] = r => $"secret: {R(r, An, 3)}8Q~{R(r, An + "_~.-", 34)}",
        ["azure_connection_string"] = r => $"Endpoint=sb://ns.servicebus.windows.net/;SharedAccessKeyName=Root;SharedAccessKey={R(r, B64, 43)}=",
        ["alibaba_access_key"] = r => $"id LTAI{R(r, An, 20)}",
        ["ibm_cloud_api_key"] = r => $"ibm_api_key = \"{R(r, Ur, 44)}\"",
        ["digitalocean_token"] = r => $"DO_TOKEN=dop_v1_{R(r, Hx, 64)}",
        ["heroku_api_key"] = r => $"HEROKU_API_KEY={Uuid(r)}",
        ["heroku_api_key_v2"] = r => $"token HRKU-{R(r, Ur, 60)}",
        ["cloudflare_api_token"] = r => $"CLOUDFLARE_API_TOKEN={R(r, Ur, 40)}",
        ["cloudflare_origin_ca_key"] = r => $"v1.0-{R(r, Hx, 24)}-{R(r, Hx, 146)}",
        ["fly_io_token"] = r => $"FLY fo1_{R(r, Ur, 43)}",
        ["vault_token"] = r => $"VAULT_TOKEN=hvs.{R(r, Ur, 95)}",
        ["terraform_cloud_token"] = r => $"token = \"{R(r, An, 14)}.atlasv1.{R(r, Ur, 67)}\"",
        ["pulumi_token"] = r => $"PULUMI_ACCESS_TOKEN=pul-{R(r, Hx, 40)}",
        ["doppler_token"] = r => $"dp.pt.{R(r, An, 43)}",
        ["databricks_token"] = r => $"DATABRICKS_TOKEN=dapi{R(r, Hx, 32)}",
        ["planetscale_token"] = r => $"pscale_tkn_{R(r, Ur, 43)}",
        ["okta_api_token"] = r => $"Authorization: SSWS 00{R(r, Ur, 40)}",
        ["openai_api_key"] = r => $"OPENAI_API_KEY=sk-proj-{R(r, Ur, 120)}",
        ["anthropic_api_key"] = r => $"ANTHROPIC_API_KEY=sk-ant-api03-{R(r, Ur, 93)}AA",
        ["huggingface_token"] = r => $"HF_TOKEN=hf_{R(r, Up + Lo, 34)}",
        ["replicate_token"] = r => $"r8_{R(r, An, 37)}",
        ["groq_api_key"] = r => $"gsk_{R(r, An, 52)}",
        ["perplexity_api_key"] = r => $"pplx-{R(r, An, 48)}",
        ["cohere_api_key"] = r => $"COHERE_API_KEY={R(r, An, 40)}",
        ["github_pat"] = r => $"token ghp_{R(r, An, 36)}",
        ["github_oauth"] = r => $"gho_{R(r, An, 36)}",
        ["github_user_to_server"] = r => $"ghu_{R(r, An, 36)}",
        ["github_server_to_server"] = r => $"ghs_{R(r, An, 36)}",
        ["github_refresh_token"] = r => $"ghr_{R(r, An, 76)}",
        ["github_fine_grained_pat"] = r => $"github_pat_{R(r, An, 22)}_{R(r, An, 59)}",
        ["gitlab_pat"] = r => $"glpat-{R(r, Ur, 20)}",
        ["gitlab_runner_token"] = r => $"glrt-{R(r, Ur, 20)}",
        ["gitlab_deploy_token"] = r => $"gldt-{R(r, Ur, 20)}",
        ["gitlab_pipeline_trigger"] = r => $"glptt-{R(r, Hx, 40)}",
        ["bitbucket_app_password"] = r => $"ATBB{R(r, An, 32)}",
        ["npm_token"] = r => $"npm_{R(r, An, 36)}",
        ["npmrc_auth_token"] = r => $"//registry.npmjs.org/:_authToken={Uuid(r)}",
        ["pypi_token"] = r => $"pypi-AgEIcHlwaS5vcmc{R(r, Ur, 70)}",
        ["docker_hub_pat"] = r => $"dckr_pat_{R(r, Ur, 27)}",
        ["atlassian_api_token"] = r => $"ATATT3{R(r, Ur, 180)}",
        ["linear_api_key"] = r => $"lin_api_{R(r, An, 40)}",
        ["notion_token"] = r => $"ntn_{R(r, Dg, 11)}{R(r, An, 35)}",
        ["postman_api_key"] = r => $"PMAK-{R(r, Hx, 24)}-{R(r, Hx, 34)}",
        ["grafana_service_account_token"] = r => $"glsa_{R(r, An, 32)}_{R(r, Hx, 8)}",
        ["grafana_cloud_token"] = r => $"glc_{R(r, An, 40)}",
        ["stripe_secret_key"] = r => $"Stripe.api_key = 'sk_live_{R(r, An, 32)}'",
        ["stripe_webhook_secret"] = r => $"whsec_{R(r, An, 32)}",
        ["square_access_token"] = r => $"EAAA{R(r, Ur, 60)}",
        ["square_oauth_secret"] = r => $"sq0csp-{R(r, Ur, 43)}",
        ["braintree_access_token"] = r => $"access_token$production${R(r, Lo + Dg, 16)}${R(r, Hx, 32)}",
        ["paypal_client_secret"] = r => $"PAYPAL_CLIENT_SECRET=E{R(r, Ur, 79)}",
        ["shopify_token"] = r => $"shpat_{R(r, Hx, 32)}",
        ["twilio_api_key"] = r => $"SK{R(r, Hx, 32)}",
        ["twilio_auth_token"] = r => $"TWILIO_AUTH_TOKEN={R(r, Hx, 32)}",
        ["sendgrid_api_key"] = r => $"SG.{R(r, Ur, 22)}.{R(r, Ur, 43)}",
        ["mailgun_api_key"] = r => $"key-{R(r, Hx, 32)}",
        ["mailchimp_api_key"] = r => $"{R(r, Hx, 32)}-us{r.Next(1, 21)}",
        ["slack_token"] = r => $"xoxb-{R(r, Dg, 12)}-{R(r, Dg, 13)}-{R(r, An, 24)}",
        ["slack_app_token"] = r => $"xapp-1-A{R(r, Up + Dg, 10)}-{R(r, Dg, 13)}-{R(r, Hx, 64)}",
        ["slack_webhook"] = r => $"https://hooks.slack.com/services/T{R(r, Up + Dg, 8)}/B{R(r, Up + Dg, 8)}/{R(r, An, 24)}",
        ["discord_webhook"] = r => $"https://discord.com/api/webhooks/{R(r, Dg, 18)}/{R(r, Ur, 68)}",
        ["discord_bot_token"] = r => $"DISCORD_BOT_TOKEN=M{R(r, An, 25)}.{R(r, Ur, 6)}.{R(r, Ur, 38)}",
        ["telegram_bot_token"] = r => $"bot{R(r, Dg, 10)}:AA{R(r, Ur, 33)}",
        ["facebook_access_token"] = r => $"EAACEdEose0cBA{R(r, An, 100)}",
        ["twitter_bearer_token"] = r => $"AAAAAAAAAAAAAAAAAAAAA{R(r, An, 60)}",
        ["mapbox_secret_token"] = r => $"sk.eyJ{R(r, Ur, 60)}.{R(r, Ur, 22)}",
        ["datadog_api_key"] = r => $"DD_API_KEY={R(r, Hx, 32)}",
        ["newrelic_key"] = r => $"NRAK-{R(r, Up + Dg, 27)}",
        ["sentry_token"] = r => $"sntryu_{R(r, Hx, 64)}",
        ["sentry_dsn"] = r => $"https://{R(r, Hx, 32)}@o{R(r, Dg, 6)}.ingest.sentry.io/{R(r, Dg, 7)}",
        ["jwt"] = r => $"Authorization: Bearer eyJ{R(r, Ur, 30)}.eyJ{R(r, Ur, 60)}.{R(r, Ur, 43)}",
        ["private_key_pem"] = r => $"-----BEGIN RSA PRIVATE KEY-----\n{R(r, B64, 64)}\n-----END RSA PRIVATE KEY-----",
        ["openssh_private_key"] = r => $"-----BEGIN OPENSSH PRIVATE KEY-----\n{R(r, B64, 70)}\n-----END OPENSSH PRIVATE KEY-----",
        ["pgp_private_key"] = r => $"-----BEGIN PGP PRIVATE KEY BLOCK-----\n\n{R(r, B64, 64)}\n-----END PGP PRIVATE KEY BLOCK-----",
        ["putty_private_key"] = r => "PuTTY-User-Key-File-3: ssh-ed25519",
        ["age_secret_key"] = r => $"AGE-SECRET-KEY-1{R(r, "QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L", 58)}",
        ["postgres_uri"] = r => $"postgres://app:{R(r, An, 16)}@db.internal:5432/app",
        ["mysql_uri"] = r => $"mysql://root:{R(r, An, 14)}@10.0.0.5:3306/shop",
        ["mongodb_uri"] = r => $"mongodb+srv://svc:{R(r, An, 18)}@cluster0.mongodb.net/db",
        ["redis_uri"] = r => $"redis://:{R(r, An, 20)}@cache:6379/0",
        ["amqp_uri"] = r => $"amqp://guest:{R(r, An, 12)}@mq:5672/",
        ["sqlserver_connection_string"] = r => $"Server=tcp:sql.example.net,1433;Database=app;User ID=app;Password={R(r, An, 16)};",
        ["basic_auth_url"] = r => $"https://deploy:{R(r, An, 14)}@git.example.com/repo.git",
        ["generic_assignment"] = r => $"db_password = \"{R(r, An + "!#%", 18)}\"",
    };

    /// <summary>Look-alikes that are not credentials, by category.</summary>
    public static IReadOnlyDictionary<string, Func<Random, string>> Negatives { get; } = new Dictionary<string, Func<Random, string>>
    {
        ["uuid"] = r => $"request id {Uuid(r)} completed",
        ["git_sha"] = r => $"fixed in commit {R(r, Hx, 40)}",
        ["sha256"] = r => $"sha256: {R(r, Hx, 64)}",
        ["md5"] = r => $"checksum {R(r, Hx, 32)} ok",
        ["base64_blob"] = r => $"data:image/png;base64,{R(r, B64, 120)}==",
        ["identifier"] = r => $"token = getAccessToken(config.auth.{R(r, Lo, 8)})",
        ["placeholder"] = r => "api_key = \"YOUR_API_KEY_HERE\"",
        ["env_reference"] = r => $"password: ${{DB_PASSWORD_{R(r, Up, 4)}}}",
        ["url_no_password"] = r => $"https://example.com/{R(r, Lo, 8)}?page={r.Next(100)}",
        ["prose"] = r => "Remember to rotate the key and keep the secret safe; the token expires daily.",
        ["short_password_word"] = r => "password: hunter2",
        ["version"] = r => $"release v{r.Next(10)}.{r.Next(30)}.{r.Next(100)} build {R(r, Hx, 7)}",
    };
}
