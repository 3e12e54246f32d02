# Forethought web, worker and beat image.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    FORETHOUGHT_VAR_DIR=/app/var

# WeasyPrint renders the PDF dossiers with Pango, HarfBuzz and fontconfig; curl serves healthchecks.
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b libharfbuzz-subset0 libffi8 \
      shared-mime-info fonts-dejavu-core curl \
 && rm -rf /var/lib/apt/lists/*

RUN useradd --create-home --uid 1000 forethought
WORKDIR /app
COPY pyproject.toml README.md ./
COPY config ./config
COPY reviews ./reviews
COPY audits ./audits
RUN pip install --upgrade pip && pip install .
COPY . .
RUN mkdir -p /app/var && chown -R forethought:forethought /app/var \
 && DEBUG=1 python manage.py collectstatic --noinput

USER forethought
EXPOSE 8000
CMD ["gunicorn", "config.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--threads", "4", "--preload", "--access-logfile", "-"]
