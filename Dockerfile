# The geotension worker (faust agents + web server). Used by docker-compose.yml, which also
# runs the Kafka broker; the worker finds it through GEOTENSION_BOOTSTRAP.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app

# Dependencies first, in their own layer, so editing the code does not reinstall them.
COPY pyproject.toml README.md LICENSE ./
COPY streams/__init__.py streams/__init__.py
RUN pip install . && pip uninstall -y geotension

COPY . .
# Editable: the package finds config/, schemas/ and samples/ beside itself in /app.
RUN pip install --no-deps -e . \
    && useradd --create-home --uid 1000 geotension \
    && mkdir -p /app/.geotension \
    && chown -R geotension /app/.geotension

USER geotension
EXPOSE 6066
CMD ["geotension", "worker"]
