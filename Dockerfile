# simpleflow's command line in an image: docker build -t simpleflow . && docker run --rm simpleflow --help
# Credentials, region and endpoint come from the environment as usual for boto3
# (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_DEFAULT_REGION, AWS_ENDPOINT_URL...).
# Workflow and activity code is mounted or added on top: it must be importable (PYTHONPATH=/work).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONPATH=/work

WORKDIR /src
COPY pyproject.toml README.md ./
COPY simpleflow ./simpleflow
RUN pip install . && rm -rf /src

# Workers fork a child per activity and run as this user, not root.
RUN useradd --create-home --uid 1000 simpleflow && mkdir -p /work && chown simpleflow /work
USER simpleflow
WORKDIR /work
# The examples, to try it: docker run --rm -e AWS_... simpleflow standalone --domain D examples.basic.BasicWorkflow --input '[1]'
COPY --chown=simpleflow examples ./examples

ENTRYPOINT ["simpleflow"]
CMD ["--help"]
