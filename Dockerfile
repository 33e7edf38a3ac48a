# replint in a container. The image only reads the project; mount it read-only and give Python a scratch /tmp:
#   docker build -t replint .
#   docker run --rm --read-only --tmpfs /tmp -v "$PWD:/work:ro" replint check .
# An exact Python/Debian tag; dependency versions come from .ci/constraints.txt, the ones CI tested.
FROM python:3.12.14-slim-bookworm AS build

ENV PYTHONDONTWRITEBYTECODE=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /src
COPY .ci/constraints.txt ./constraints.txt
COPY pyproject.toml README.md ./
COPY schemas ./schemas
COPY policies ./policies
# lint/data/{policies,schemas} link to ../../policies and ../../schemas; the wheel build follows the links.
COPY lint ./lint

# A virtualenv without pip (pip lives in this build stage only), filled by this stage's pip with --python. The
# build backend is pinned by the constraints file too, hence no build isolation; it is removed once built.
# Names without versions are deliberate: `--constraint` fixes every version.
# hadolint ignore=DL3013
RUN python -m venv --without-pip /opt/replint \
    && pip --python /opt/replint/bin/python install --no-cache-dir --no-compile \
        --constraint constraints.txt setuptools \
    && pip --python /opt/replint/bin/python install --no-cache-dir --no-compile --no-build-isolation \
        --constraint constraints.txt . \
    && pip --python /opt/replint/bin/python uninstall --yes setuptools

FROM python:3.12.14-slim-bookworm

# No bytecode written at run time (the workspace and the image are read-only), and any cache under /tmp
# (a tmpfs with --read-only) rather than the home directory the user does not have.
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    XDG_CACHE_HOME=/tmp \
    PATH=/opt/replint/bin:$PATH

COPY --from=build /opt/replint /opt/replint
RUN useradd --system --uid 10001 --user-group --no-create-home --home-dir /nonexistent \
        --shell /usr/sbin/nologin replint \
    && replint --version

USER 10001:10001
WORKDIR /work
ENTRYPOINT ["replint"]
CMD ["check", "."]
