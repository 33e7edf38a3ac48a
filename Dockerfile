# replint in a container: docker run --rm -v "$PWD:/work:ro" -w /work replint check .
FROM python:3.12-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /opt/replint
COPY pyproject.toml README.md ./
COPY lint ./lint
COPY policies ./policies
COPY schemas ./schemas
# lint/data/{policies,schemas} link to ../../policies and ../../schemas; the wheel build follows the links.
RUN pip install --no-compile . \
    && useradd --create-home --uid 10001 replint

USER replint
WORKDIR /work
ENTRYPOINT ["replint"]
CMD ["check", "."]
