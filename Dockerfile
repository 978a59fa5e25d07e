# blindspot in a container: `collect` with the standard AWS environment, as a non-root user,
# on a read-only root filesystem (the snapshot goes to the /out volume).
#
#   docker build -t blindspot .
#   docker run --rm --read-only --tmpfs /tmp \
#     -e AWS_ACCESS_KEY_ID -e AWS_SECRET_ACCESS_KEY -e AWS_SESSION_TOKEN -e AWS_REGION \
#     -v "$PWD/out:/out" blindspot collect --org --role-name BlindspotReadOnly \
#     --regions all -o /out/snapshot.json.gz
#
# With profiles instead of keys: -v "$HOME/.aws:/home/blindspot/.aws:ro" -e AWS_PROFILE.
# Any other command works the same way: `docker run ... blindspot report /out/snapshot.json.gz`.

FROM python:3.11-slim AS build
WORKDIR /src
COPY pyproject.toml README.md ./
COPY blindspot ./blindspot
COPY collectors ./collectors
COPY snapshot ./snapshot
COPY tui ./tui
# Wheels of blindspot and every dependency, so the runtime stage needs no compiler or cache.
RUN pip wheel --no-cache-dir --wheel-dir /wheels .

FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    HOME=/home/blindspot \
    XDG_CACHE_HOME=/tmp/.cache
RUN useradd --uid 10001 --user-group --create-home --home-dir /home/blindspot \
        --shell /usr/sbin/nologin blindspot \
    && mkdir /out && chown blindspot:blindspot /out
COPY --from=build /wheels /wheels
# pip compiles the bytecode at install time: nothing is written under site-packages at run time.
# The one version there is the wheel just built (no index): nothing to pin.
# hadolint ignore=DL3013
RUN pip install --no-cache-dir --no-index --find-links=/wheels blindspot \
    && rm -rf /wheels
USER 10001:10001
WORKDIR /out
VOLUME ["/out"]
ENTRYPOINT ["blindspot"]
CMD ["collect", "--regions", "all", "-o", "/out/snapshot.json.gz"]
