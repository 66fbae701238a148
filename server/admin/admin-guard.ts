/**
 * The one door of the admin area, for /admin/api requests and /admin socket handshakes alike. In order:
 * no token configured: the area does not exist (NOT_FOUND); the address is banned: BANNED; the per-IP
 * budget `admin_login` is spent: RATE_LIMITED; no token: UNAUTHORIZED; a wrong token: FORBIDDEN, and the
 * address gets a violation (ADMIN_GUESSES_BEFORE_BAN wrong tokens within the decay window ban it on every
 * node, see limits-feature.ts). A right token is never counted.
 */
import type { Core } from "../core/feature.ts";
import type { LimitsService } from "../limits/limits-feature.ts";
import { ForbiddenError, NotFoundError, UnauthorizedError } from "../errors.ts";
import { AdminTokens } from "./admin-tokens.ts";

export class AdminGuard {
  readonly tokens: AdminTokens;

  constructor(
    private readonly core: Core,
    /** The limits service when the node runs it (bans, violations); read at each check. */
    private readonly limits: () => LimitsService | undefined,
  ) {
    this.tokens = new AdminTokens(core.config.ADMIN_TOKEN, core.config.ADMIN_TOKENS);
  }

  get enabled(): boolean {
    return this.tokens.enabled;
  }

  /** The label of the caller's token; throws a coded error to refuse. `hint` says how to send a token. */
  async check(ip: string, token: unknown, hint: string): Promise<string> {
    if (!this.tokens.enabled) throw new NotFoundError("Admin area disabled: set ADMIN_TOKEN or ADMIN_TOKENS");
    const limits = this.limits();
    await limits?.checkBan({ ip });
    await this.core.limit({ ip }, "admin_login");
    if (typeof token !== "string" || token === "") throw new UnauthorizedError(hint);
    const label = this.tokens.verify(token);
    if (label === null) {
      limits?.violation({ ip }, "bad_admin_token", "admin");
      throw new ForbiddenError("Wrong admin token");
    }
    return label;
  }
}
