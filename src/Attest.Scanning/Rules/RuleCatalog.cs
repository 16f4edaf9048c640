using System.Collections.Frozen;

namespace Attest.Scanning.Rules;

/// <summary>Every ATT-K8S rule. Ids are stable: a rule is never renumbered, only retired.</summary>
public static class RuleCatalog
{
    private static readonly string[] Access = ["CC6.1", "CC6.3"];
    private static readonly string[] Credentials = ["CC6.1", "CC6.2"];
    private static readonly string[] Asi = ["ASI03"];
    private static readonly string[] AsiLlm = ["ASI03", "LLM06:2025"];

    public static IReadOnlyList<RuleDefinition> All { get; } =
    [
        new("ATT-K8S-001", "RbacWildcard", Severity.Medium, "Wildcard in verbs, resources or apiGroups",
            "A bound rule uses '*' for verbs, resources or apiGroups, so it also grants whatever the API adds later.",
            "List the exact verbs, resources and apiGroups the subject needs.", Access, [], ["kubescape C-0187", "Polaris rolebindingClusterAdminRole"]),
        new("ATT-K8S-002", "ClusterAdminEquivalent", Severity.Critical, "cluster-admin or an equivalent role is bound",
            "The subject is bound to cluster-admin, or to a role granting '*' verbs on '*' resources in '*' apiGroups: full control of the cluster (or of the namespace, for a RoleBinding).",
            "Bind a role limited to what the subject needs; keep cluster-admin for break-glass identities.", Access, Asi,
            ["kubescape C-0035", "kubescape C-0185", "Polaris clusterrolebindingClusterAdmin", "Polaris rolebindingClusterAdminClusterRole", "Polaris rolebindingClusterAdminRole"]),
        new("ATT-K8S-003", "ReadSecrets", Severity.High, "Can read Secrets (get, list or watch)",
            "The subject can read Secrets, including other workloads' credentials and legacy service-account tokens.",
            "Remove get/list/watch on secrets, or restrict the rule with resourceNames to the Secrets the subject owns.", Access, [],
            ["kubescape C-0015", "kubescape C-0186"]),
        new("ATT-K8S-004", "PodExecAttach", Severity.High, "Can exec into or attach to pods",
            "pods/exec or pods/attach runs commands inside containers, reading their mounted tokens and data.",
            "Remove pods/exec and pods/attach; use a break-glass role with approval for debugging.", Access, [],
            ["kubescape C-0002", "Polaris clusterrolePodExecAttach", "Polaris rolePodExecAttach", "Polaris clusterrolebindingPodExecAttach", "Polaris rolebindingRolePodExecAttach", "Polaris rolebindingClusterRolePodExecAttach"]),
        new("ATT-K8S-005", "PodPortForward", Severity.Medium, "Can port-forward to pods",
            "pods/portforward opens a tunnel into pods, bypassing Services and network policy.",
            "Remove pods/portforward from the role.", Access, [], ["kubescape C-0063"]),
        new("ATT-K8S-006", "EphemeralContainers", Severity.High, "Can add ephemeral containers to pods",
            "Updating pods/ephemeralcontainers injects a container into a running pod, which runs with the pod's service account.",
            "Remove update/patch on pods/ephemeralcontainers.", Access, [], []),
        new("ATT-K8S-007", "CreateWorkloads", Severity.High, "Can create or change pods or workloads",
            "Whoever can create or update pods, or controllers that create them, can run a pod as any service account of that namespace and so use its token.",
            "Grant workload creation only to deployment pipelines; keep agents' and apps' accounts read-only.", Access, Asi, ["kubescape C-0188"]),
        new("ATT-K8S-008", "EscalateOrBind", Severity.Critical, "Can escalate or bind roles",
            "The escalate and bind verbs on roles or clusterroles let the subject grant itself or others permissions it does not hold.",
            "Remove escalate and bind; let a reviewed pipeline manage RBAC.", Access, Asi, ["kubescape C-0191"]),
        new("ATT-K8S-009", "Impersonate", Severity.Critical, "Can impersonate users, groups or service accounts",
            "impersonate lets the subject act as another identity, including system:masters.",
            "Remove impersonate; if needed, restrict it with resourceNames to specific identities.", Access, Asi, ["kubescape C-0065", "kubescape C-0191"]),
        new("ATT-K8S-010", "MintTokens", Severity.High, "Can mint service-account tokens",
            "create on serviceaccounts/token, or create on secrets (a service-account-token Secret is filled in by the token controller), issues a credential for another service account.",
            "Remove create on serviceaccounts/token and secrets.", Credentials, Asi, ["CIS 5.1.13"]),
        new("ATT-K8S-011", "NodesProxy", Severity.High, "Can use nodes/proxy",
            "nodes/proxy reaches the kubelet API, which runs commands in any pod on the node and skips API-server audit.",
            "Remove nodes/proxy; use metrics endpoints that do not need it.", Access, [], ["CIS 5.1.10"]),
        new("ATT-K8S-012", "CsrApproval", Severity.High, "Can approve certificate signing requests",
            "Updating certificatesigningrequests/approval (with approve on a signer) issues client certificates for any identity, including system:masters.",
            "Keep CSR approval with the control plane.", Credentials, Asi, ["CIS 5.1.11"]),
        new("ATT-K8S-013", "AdmissionWebhooks", Severity.High, "Can change admission webhooks or policies",
            "Changing mutating or validating webhook configurations intercepts or rewrites every object sent to the API, or switches policy off.",
            "Limit webhook configuration changes to the cluster operator's pipeline.", Access, [], ["kubescape C-0036", "kubescape C-0039", "CIS 5.1.12"]),
        new("ATT-K8S-014", "CreatePersistentVolumes", Severity.Medium, "Can create PersistentVolumes",
            "Creating PersistentVolumes (e.g. hostPath) mounts node filesystems into pods.",
            "Provision storage through StorageClasses; remove create on persistentvolumes.", Access, [], ["CIS 5.1.9"]),
        new("ATT-K8S-015", "BroadDelete", Severity.Medium, "Broad delete or deletecollection",
            "delete or deletecollection on workloads, data or all resources lets the subject destroy service (availability and integrity).",
            "Grant delete only on the resources the subject manages, by name where possible.", Access, [], ["kubescape C-0007"]),
        new("ATT-K8S-016", "DeleteEvents", Severity.Medium, "Can delete events",
            "Deleting events removes the trail of what happened in the cluster.", "Remove delete/deletecollection on events.", Access, [], ["kubescape C-0031"]),
        new("ATT-K8S-017", "KubeSystemConfigMaps", Severity.High, "Can change ConfigMaps in kube-system",
            "ConfigMaps in kube-system configure cluster components (CoreDNS, kube-proxy); changing them redirects or breaks traffic.",
            "Remove create/update/patch/delete on configmaps in kube-system.", Access, [], ["kubescape C-0037"]),
        new("ATT-K8S-018", "DefaultServiceAccountBound", Severity.Medium, "The default service account has permissions",
            "Every pod that names no service account runs as 'default'; permissions bound to it are shared by all of them.",
            "Bind permissions to a dedicated service account and leave 'default' without bindings.", Credentials, Asi, ["kubescape C-0189"]),
        new("ATT-K8S-019", "AutomountedToken", Severity.Low, "Service-account token automounted",
            "The workload gets an API token although it does not opt in; anyone who reaches the container can use it.",
            "Set automountServiceAccountToken: false on the pod spec (or the ServiceAccount) unless the workload calls the API.", Credentials, Asi,
            ["kubescape C-0034", "kubescape C-0190", "kubescape C-0261", "Polaris automountServiceAccountToken"]),
        new("ATT-K8S-020", "PublicGroupBinding", Severity.Critical, "Binding to anonymous, unauthenticated or every authenticated identity",
            "The binding grants permissions to system:anonymous, system:unauthenticated (anyone who reaches the API), system:authenticated or system:serviceaccounts (every account).",
            "Bind named users, groups or service accounts instead.", ["CC6.1"], [], ["kubescape C-0262"]),
        new("ATT-K8S-021", "BindingToMissingRole", Severity.Low, "Binding to a role that does not exist",
            "Whoever later creates a role with that name silently grants it to the binding's subjects.",
            "Delete the binding or create the intended role with it.", ["CC6.2", "CC6.3"], [], ["Polaris clusterrolebindingPodExecAttach (fails on missing role)"]),
        new("ATT-K8S-022", "BindingToMissingServiceAccount", Severity.Medium, "Binding to a service account that does not exist",
            "Whoever can create a service account with that name inherits the binding's permissions.",
            "Delete the binding or the subject entry.", ["CC6.2", "CC6.3"], [], []),
        new("ATT-K8S-023", "EscalationPath", Severity.High, "Privilege escalation path",
            "A chain of permissions lets the subject become a more powerful identity (for example: create pods in a namespace, run them as its service account, use that account's permissions).",
            "Break the first hop (remove the permission) or move the powerful service account to a namespace the subject cannot reach.", Access, AsiLlm, ["kubescape C-0053"]),
        new("ATT-K8S-024", "AgentExcessPrivilege", Severity.High, "Agent holds permissions beyond its declared domain",
            "The agent's service account holds Kubernetes permissions its declared kubernetesPermissions do not list.",
            "Remove the extra permissions, or declare them in the agent's kubernetesPermissions after review.", ["CC6.3"], AsiLlm, []),
        new("ATT-K8S-025", "AgentForeignCredential", Severity.High, "Agent runs with a credential that is not its own",
            "A workload of one agent runs under another agent's (or an unassigned) service account, or a non-agent workload uses an agent's account.",
            "Give each agent its own service account and run its workloads under it.", Credentials, AsiLlm, []),
        new("ATT-K8S-026", "ServiceAccountSharedByAgents", Severity.Medium, "Service account assigned to more than one agent",
            "Annotation and config map one service account to different agents, so actions cannot be attributed to one agent.",
            "Assign each service account to exactly one agent.", Credentials, Asi, []),
    ];

    private static readonly FrozenDictionary<string, RuleDefinition> ById = All.ToFrozenDictionary(r => r.Id, StringComparer.Ordinal);

    /// <summary>The rule with that id; throws <see cref="KeyNotFoundException"/> for an unknown id.</summary>
    public static RuleDefinition Get(string id) => ById[id];
}
