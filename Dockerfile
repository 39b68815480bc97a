# The portal's one image: web (gunicorn), Celery worker and beat run from it (docker-compose.yml).
FROM python:3.11-slim

# The code runs from /app, where templates/ and static/ sit beside the packages (BASE_DIR
# is derived from the settings module's path); `pip install .` brings the dependencies.
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONPATH=/app

RUN groupadd --system --gid 10001 portal \
    && useradd --system --uid 10001 --gid portal --home-dir /app --no-create-home portal

WORKDIR /app
COPY . .
RUN pip install . \
    && mkdir -p /data/private \
    && chown portal:portal /data/private

# collectstatic imports the production settings, which refuse to start without secrets. The
# build gets a throwaway key passed to this one command (an ARG, never an ENV), so nothing
# built here signs anything at run time; the real SECRET_KEY comes from .env.
ARG BUILD_SECRET_KEY=collectstatic-only-not-a-secret-not-used-at-run-time
RUN SECRET_KEY="$BUILD_SECRET_KEY" \
    DJANGO_SETTINGS_MODULE=familysupport.settings.production \
    ALLOWED_HOSTS=build.invalid \
    DATABASE_URL=postgres://build@build.invalid/build \
    python manage.py collectstatic --noinput \
    && python -m familysupport.i18n_compile

USER portal
EXPOSE 8000
CMD ["gunicorn", "familysupport.wsgi", "--bind=0.0.0.0:8000", "--access-logfile=-", "--access-logformat=%(h)s %(t)s \"%(m)s %(U)s %(H)s\" %(s)s %(b)s %(L)s"]
