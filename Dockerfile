# Attest server image. Build: docker build -t attest .   Run: see docs/operations.md.
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY . .
RUN dotnet publish src/Attest.Cli -c Release -o /out --nologo

FROM mcr.microsoft.com/dotnet/aspnet:10.0
RUN groupadd --system attest && useradd --system --gid attest --home /var/lib/attest attest \
 && mkdir -p /var/lib/attest /etc/attest && chown attest:attest /var/lib/attest
COPY --from=build /out /opt/attest
USER attest
WORKDIR /var/lib/attest
ENV ATTEST_CONFIG=/etc/attest/attest.yaml \
    DOTNET_gcServer=1
EXPOSE 8080
HEALTHCHECK --interval=15s --timeout=3s CMD ["/bin/sh", "-c", "exec 3<>/dev/tcp/127.0.0.1/8080"]
ENTRYPOINT ["/opt/attest/attest"]
CMD ["serve", "--listen", "http://0.0.0.0:8080"]
