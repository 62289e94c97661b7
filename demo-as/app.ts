/**
 * The demo AS as an express application: which endpoint answers which
 * method on which path, the body limits in front of them, and the fallbacks
 * behind them. Reading this file top to bottom is reading the AS's surface.
 */
import express, { type Express, type RequestHandler } from 'express';
import type { AsContext } from './context.ts';
import { authorizeEndpoint } from './endpoints/authorize.ts';
import { decisionEndpoint } from './endpoints/decision.ts';
import { jwksEndpoint } from './endpoints/jwks.ts';
import { metadataEndpoint } from './endpoints/metadata.ts';
import { registerEndpoint } from './endpoints/register.ts';
import { revokeEndpoint } from './endpoints/revoke.ts';
import { tokenEndpoint } from './endpoints/token.ts';
import { corsForBrowserClients } from './http/cors.ts';
import { finalErrorHandler, methodNotAllowed, notFound } from './http/fallbacks.ts';
import { FORM_MEDIA_TYPE } from './http/form-body.ts';
import { logRequestOutcomes } from './http/request-log.ts';
import { LIMITS } from './policy.ts';

export function buildApp(ctx: AsContext): Express {
    const app = express();
    app.disable('x-powered-by');
    app.set('etag', false);
    // Parameters are read strictly by http/params.ts, never by express's lenient parser.
    app.set('query parser', false);
    app.set('case sensitive routing', true);
    app.set('strict routing', true);

    app.use(noSniff);
    // RFC 9700 §2.6: CORS for what browser-based clients fetch, never for /authorize or the decision; preflights end here, unlogged.
    app.use(corsForBrowserClients);
    app.use(logRequestOutcomes);

    // Bodies are read within a limit, never decompressed (a small body cannot expand into a large one).
    const jsonBody = express.json({ limit: LIMITS.jsonBody, inflate: false, strict: true, type: 'application/json' });
    const formBody = express.text({ limit: LIMITS.formBody, inflate: false, type: FORM_MEDIA_TYPE });

    app.route('/.well-known/oauth-authorization-server').get(metadataEndpoint(ctx)).all(methodNotAllowed('GET, HEAD'));
    app.route('/jwks').get(jwksEndpoint(ctx)).all(methodNotAllowed('GET, HEAD'));
    app.route('/register').post(jsonBody, registerEndpoint(ctx)).all(methodNotAllowed('POST'));
    app.route('/authorize').get(authorizeEndpoint(ctx)).all(methodNotAllowed('GET, HEAD'));
    app.route('/authorize/decision').post(formBody, decisionEndpoint(ctx)).all(methodNotAllowed('POST'));
    app.route('/token').post(formBody, tokenEndpoint(ctx)).all(methodNotAllowed('POST'));
    app.route('/revoke').post(formBody, revokeEndpoint(ctx)).all(methodNotAllowed('POST'));

    app.use(notFound);
    app.use(finalErrorHandler);
    return app;
}

const noSniff: RequestHandler = (_req, res, next) => {
    res.set('X-Content-Type-Options', 'nosniff');
    next();
};
