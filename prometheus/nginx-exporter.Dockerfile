# The nginx exporter's image is built FROM scratch: nothing in it could run a healthcheck.
# This adds one statically linked busybox, for `wget`, and changes nothing else.
FROM busybox:1.36.1-musl AS busybox

FROM nginx/nginx-prometheus-exporter:0.11.0
COPY --from=busybox /bin/busybox /bin/busybox
