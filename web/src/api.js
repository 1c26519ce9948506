// SPDX-License-Identifier: Apache-2.0
// The only place that talks to the server: GET JSON from /api/v1, errors as ApiError.
import { useEffect, useState } from 'preact/hooks';

export class ApiError extends Error {
    constructor(status, code, message) {
        super(message);
        this.status = status; // 0: no HTTP answer at all
        this.code = code;
    }
}

// Builds "?a=1&b=2" from an object, leaving out empty values so that the
// API's "unknown or empty parameter" checks are never tripped by the UI.
export function query(params) {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(params ?? {})) {
        if (v !== undefined && v !== null && v !== '') q.append(k, String(v));
    }
    const s = q.toString();
    return s ? `?${s}` : '';
}

async function request(method, path, params, body) {
    const init = {
        method,
        headers: { Accept: 'application/json' },
        credentials: 'same-origin',
        cache: 'no-store',
    };
    // The server takes state changes only as same-origin JSON (CSRF).
    if (body !== undefined) {
        init.headers['Content-Type'] = 'application/json';
        init.body = JSON.stringify(body);
    }
    try {
        return await fetch(`/api/v1/${path}${query(params)}`, init);
    } catch (e) {
        throw new ApiError(0, 'network', 'The portal server could not be reached.');
    }
}

// POST or DELETE; resolves to the JSON answer, or null for 204.
export async function apiSend(method, path, params, body) {
    const r = await request(method, path, params, body);
    if (r.status === 204) return null;
    return answer(r);
}

export async function apiGet(path, params) {
    return answer(await request('GET', path, params));
}

async function answer(r) {
    let body = null;
    try {
        body = await r.json();
    } catch (e) {
        body = null;
    }
    if (!r.ok) {
        const err = body && typeof body === 'object' ? body.error : null;
        throw new ApiError(
            r.status,
            err && typeof err.code === 'string' ? err.code : `http_${r.status}`,
            err && typeof err.message === 'string' ? err.message : r.statusText || 'request failed'
        );
    }
    if (body === null || typeof body !== 'object') {
        throw new ApiError(r.status, 'bad_response', 'The server answered with something that is not JSON.');
    }
    return body;
}

// Loads PATH with PARAMS whenever either (or version, to load again after a
// change) changes; stale answers are dropped.
export function useApi(path, params, version = 0) {
    const key = path === null ? null : `${path}${query(params)}#${version}`;
    const [state, setState] = useState({ key: null, data: null, error: null });
    useEffect(() => {
        if (key === null) return undefined;
        let live = true;
        setState({ key, data: null, error: null });
        apiGet(path, params).then(
            (data) => live && setState({ key, data, error: null }),
            (error) => live && setState({ key, data: null, error })
        );
        return () => {
            live = false;
        };
    }, [key]);
    const current = state.key === key;
    return {
        data: current ? state.data : null,
        error: current ? state.error : null,
        loading: key !== null && (!current || (state.data === null && state.error === null)),
    };
}
