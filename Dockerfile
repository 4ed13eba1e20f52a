# The bot's image: the app and its dependencies, run as a non-root user; gunicorn serves on port 8000.
# Build: docker build -t machi-line-assistant .   (compose.yaml runs web, worker and PostgreSQL from it)
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    FLASK_APP=app

WORKDIR /app
# Dependencies first, so that a code change does not reinstall them.
COPY pyproject.toml README.md ./
RUN python -c "import tomllib; print('\\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" \
    > /tmp/requirements.txt
RUN pip install -r /tmp/requirements.txt && rm /tmp/requirements.txt

COPY . .
RUN pip install --no-deps . \
    && useradd --system --uid 10001 --no-create-home --home-dir /app bot \
    && mkdir -p /app/instance \
    && chown bot /app/instance

USER bot
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4)"]
# gunicorn.conf.py: workers, threads, timeouts, access log, caches warmed before the workers fork.
ENV BIND=0.0.0.0:8000
CMD ["gunicorn", "--config", "gunicorn.conf.py"]
