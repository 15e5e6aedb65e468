/** The edge's default listeners: HTTP (301 to HTTPS) and HTTPS, as the ALB's 80 and 443. */
export const DEFAULT_HTTP_PORT = 8080;
export const DEFAULT_HTTPS_PORT = 8443;
