# process-exporter's image is built FROM scratch: nothing in it could run a healthcheck.
# This adds one statically linked busybox, for `wget`, and changes nothing else.
# The base images, as build arguments so a test can build on local stand-ins of them.
ARG BUSYBOX_IMAGE=busybox:1.36.1-musl
ARG EXPORTER_IMAGE=ncabatoff/process-exporter:0.8.7

FROM ${BUSYBOX_IMAGE} AS busybox

FROM ${EXPORTER_IMAGE}
COPY --from=busybox /bin/busybox /bin/busybox
