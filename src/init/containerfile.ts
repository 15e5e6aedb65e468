/**
 * berth's hardened Containerfile for a Node.js service, the shape of the Cruddur backend's
 * (docs/images.md): a build stage with npm, a distroless runtime with no shell and no package
 * manager, files owned by root and read-only to the app's user 1000 (so the root filesystem can be
 * read-only), an exec-form health check with node itself (no curl in the image).
 */

/** The same pinned bases as examples/cruddur/backend/Containerfile; `berth mirror` copies them privately. */
const BUILD_IMAGE =
  'docker.io/library/node:20-bookworm-slim@sha256:2cf067cfed83d5ea958367df9f966191a942351a2df77d6f0193e162b5febfc0';
const BASE_IMAGE =
  'gcr.io/distroless/nodejs20-debian12@sha256:9f43117c3e33c3ed49d689e51287a246edef3af0afed51a54dc0a9095b2b3ef9';

export interface NodeContainerfileOptions {
  readonly name: string;
  readonly port: number;
  readonly healthPath: string;
  /** The server's command in exec form, run by the runtime's node. */
  readonly command: readonly string[];
  readonly hasLockfile: boolean;
  readonly hasBuildScript: boolean;
}

/** The exec-form health check: node fetches the health path on the task's own port, no shell, no curl. */
export function nodeHealthCommand(port: number, path: string): string[] {
  return [
    'node',
    '-e',
    `fetch('http://127.0.0.1:'+(process.env.PORT||${port})+'${path}').then(r=>process.exit(r.status===200?0:1),()=>process.exit(1))`,
  ];
}

export function nodeContainerfile(o: NodeContainerfileOptions): string {
  const exec = (args: readonly string[]) => JSON.stringify(args).replaceAll('","', '", "');
  return `# ${o.name}: written by \`berth init\`, berth's hardened image for a Node.js service (docs/images.md).
#
#   podman build --format docker -f Containerfile .        (--format docker keeps HEALTHCHECK)

# Any image with node, npm and a shell: the build stage installs and builds, nothing of it ships.
ARG BUILD_IMAGE=${BUILD_IMAGE}
# A Node.js runtime with no shell and no package manager.
ARG BASE_IMAGE=${BASE_IMAGE}

FROM \${BUILD_IMAGE} AS build
WORKDIR /app
COPY package*.json ./
RUN ${o.hasLockfile ? '["npm", "ci"]' : '["npm", "install"]'}
COPY . .
${o.hasBuildScript ? 'RUN ["npm", "run", "build"]\n' : ''}RUN ["npm", "prune", "--omit=dev"]
# Files readable by all, writable by no one but root; the app runs as another user.
RUN ["chmod", "-R", "u=rwX,go=rX", "/app"]

FROM \${BASE_IMAGE}
# Distroless keeps node in /nodejs/bin; other Node.js runtimes in /usr/local/bin.
ENV PATH=/nodejs/bin:/usr/local/bin:/usr/bin:/bin \\
    NODE_ENV=production \\
    PORT=${o.port}
WORKDIR /app
COPY --from=build --chown=0:0 /app /app
USER 1000:1000
EXPOSE ${o.port}
STOPSIGNAL SIGTERM
HEALTHCHECK --interval=15s --timeout=5s --start-period=10s --retries=3 CMD ${exec(nodeHealthCommand(o.port, o.healthPath))}
# Labels last: their values change on every build and would spoil the cache of the layers above.
# berth build sets them; base.name is what \`berth check --images\` reads to prove the base is pinned.
ARG BASE_IMAGE
ARG BUILD_IMAGE
ARG SOURCE=unknown
ARG REVISION=unknown
ARG CREATED=1970-01-01T00:00:00Z
LABEL org.opencontainers.image.title="${o.name}" \\
      org.opencontainers.image.source="\${SOURCE}" \\
      org.opencontainers.image.revision="\${REVISION}" \\
      org.opencontainers.image.created="\${CREATED}" \\
      org.opencontainers.image.base.name="\${BASE_IMAGE}" \\
      dev.berth.build-image="\${BUILD_IMAGE}"
ENTRYPOINT []
CMD ${exec(o.command)}
`;
}

/** Keeps what the build stage installs itself, and local state, out of the build context. */
export const NODE_DOCKERIGNORE = `node_modules
.berth
.git
*.log
`;
