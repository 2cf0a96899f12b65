FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app
COPY pyproject.toml README.md ./
COPY alerts ./alerts
COPY workers ./workers
RUN pip install --no-cache-dir . && useradd --create-home --uid 10001 alerts \
    && mkdir -p /data && chown alerts /data
USER alerts
ENV ALERTS_DATA_DIR=/data
ENTRYPOINT ["alerts"]
CMD ["run"]
