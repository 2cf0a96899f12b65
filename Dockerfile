FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app
COPY pyproject.toml README.md LICENSE constraints.txt ./
COPY alerts ./alerts
COPY workers ./workers
# constraints.txt (scripts/lock) pins every dependency: two builds a month apart run the same code.
RUN pip install --no-cache-dir -c constraints.txt . && useradd --create-home --uid 10001 alerts \
    && mkdir -p /data && chown alerts /data
USER alerts
# `docker run -e ALERTS_WEB_TOKEN=... -p 127.0.0.1:8080:8080 IMAGE` serves the dashboard: inside the
# container the web service binds every interface, so a token is required (run refuses without).
ENV ALERTS_DATA_DIR=/data ALERTS_WEB_HOST=0.0.0.0
EXPOSE 8080
ENTRYPOINT ["alerts"]
CMD ["run"]
