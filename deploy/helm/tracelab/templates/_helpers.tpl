{{/* The prefix of every object's name: the release name, with the chart's name unless it holds it. */}}
{{- define "tracelab.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 30 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 30 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 30 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/* An object's name: (dict "root" $ "component" "collector-agent"). */}}
{{- define "tracelab.name" -}}
{{- printf "%s-%s" (include "tracelab.fullname" .root) .component -}}
{{- end -}}

{{/* A Service's full DNS name, the way every pod addresses another: (dict "root" $ "component" …). */}}
{{- define "tracelab.host" -}}
{{- printf "%s.%s.svc.%s" (include "tracelab.name" .) .root.Release.Namespace .root.Values.clusterDomain -}}
{{- end -}}

{{- define "tracelab.selectorLabels" -}}
app.kubernetes.io/name: {{ default .root.Chart.Name .root.Values.nameOverride }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{- define "tracelab.labels" -}}
{{ include "tracelab.selectorLabels" . }}
app.kubernetes.io/part-of: tracelab
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .root.Chart.Name .root.Chart.Version }}
{{- end -}}

{{/* Pod securityContext: a numeric non-root user (so the kubelet can check it), its group owns the volumes. */}}
{{- define "tracelab.podSecurityContext" -}}
runAsNonRoot: true
runAsUser: {{ .uid }}
runAsGroup: {{ .uid }}
fsGroup: {{ .uid }}
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{/* Container securityContext: nothing to escalate, nothing written outside the mounted volumes. */}}
{{- define "tracelab.containerSecurityContext" -}}
runAsNonRoot: true
runAsUser: {{ .uid }}
allowPrivilegeEscalation: false
readOnlyRootFilesystem: true
capabilities:
  drop: [ALL]
{{- end -}}

{{/* repository:tag of one of the `images` values. */}}
{{- define "tracelab.image" -}}
{{- printf "%s:%s" (required "an image needs a repository" .repository) (required "an image needs a tag" .tag) | quote -}}
{{- end -}}

{{/* imagePullSecrets of a pod spec, or nothing. */}}
{{- define "tracelab.imagePullSecrets" -}}
{{- with .Values.imagePullSecrets -}}
imagePullSecrets:
  {{- toYaml . | nindent 2 }}
{{- end -}}
{{- end -}}

{{/* Where every collector sends (the ${env:…} of collector/config.yaml); its ports keep their defaults. */}}
{{- define "tracelab.collectorEnv" -}}
- name: COLLECTOR_LISTEN_HOST
  value: 0.0.0.0
- name: COLLECTOR_QUEUE_DIR
  value: /var/lib/otelcol/queue
- name: JAEGER_OTLP_GRPC_ADDR
  value: {{ include "tracelab.host" (dict "root" . "component" "jaeger") }}:4327
- name: PROMETHEUS_URL
  value: http://{{ include "tracelab.host" (dict "root" . "component" "prometheus") }}:9090
- name: VICTORIALOGS_URL
  value: http://{{ include "tracelab.host" (dict "root" . "component" "victorialogs") }}:9428
{{- end -}}

{{/* The collector's ports, its config folder and its queue folder. */}}
{{- define "tracelab.collectorPorts" -}}
- name: otlp-grpc
  containerPort: 4317
- name: otlp-http
  containerPort: 4318
- name: health
  containerPort: 13133
- name: metrics
  containerPort: 8888
{{- end -}}

{{- define "tracelab.collectorProbes" -}}
readinessProbe:
  httpGet:
    path: /
    port: health
  periodSeconds: 5
livenessProbe:
  httpGet:
    path: /
    port: health
  periodSeconds: 10
  failureThreshold: 6
{{- end -}}

{{- define "tracelab.collectorVolumeMounts" -}}
- name: config
  mountPath: /etc/tracelab/collector
  readOnly: true
- name: queue
  mountPath: /var/lib/otelcol/queue
{{- end -}}

{{- define "tracelab.collectorVolumes" -}}
- name: config
  configMap:
    name: {{ include "tracelab.name" (dict "root" . "component" "collector") }}
# The persistent sending queues (file_storage): they survive a backend outage and a container
# restart, not the loss of the pod.
- name: queue
  emptyDir: {}
{{- end -}}
