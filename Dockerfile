# The distribution image: only the static binary, at /usher/usher. Use it as
#   COPY --from=usher:0.1.0 /usher/usher /usher/usher    (in a grader or sidecar image)
# or as the carrier container of an ECS task (examples/ecs/task-definition.json).
# Build (offline, from a built tree): docker build -t usher:0.1.0 -f Dockerfile build/
FROM scratch
COPY usher /usher/usher
ENTRYPOINT ["/usher/usher"]
CMD ["--help"]
