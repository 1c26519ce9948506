// SPDX-License-Identifier: Apache-2.0
// Hash routing: "#/events/42?type=scanner" -> { parts: ["events", "42"], params }.
import { useEffect, useState } from 'preact/hooks';

export function parseHash(hash) {
    const h = (hash || '').replace(/^#\/?/, '');
    const qi = h.indexOf('?');
    const pathPart = qi < 0 ? h : h.slice(0, qi);
    const params = new URLSearchParams(qi < 0 ? '' : h.slice(qi + 1));
    const parts = pathPart
        .split('/')
        .filter((p) => p !== '')
        .map((p) => {
            try {
                return decodeURIComponent(p);
            } catch (e) {
                return p;
            }
        });
    return { parts, params };
}

export function href(parts, params) {
    const path = parts.map((p) => encodeURIComponent(p)).join('/');
    const q = params ? new URLSearchParams(params).toString() : '';
    return `#/${path}${q ? `?${q}` : ''}`;
}

export function useRoute() {
    const [route, setRoute] = useState(() => parseHash(window.location.hash));
    useEffect(() => {
        const on = () => {
            setRoute(parseHash(window.location.hash));
            window.scrollTo(0, 0);
        };
        window.addEventListener('hashchange', on);
        return () => window.removeEventListener('hashchange', on);
    }, []);
    return route;
}

// The current route with one parameter set (or removed, when value is empty),
// as a hash: for controls that change the view, like the site picker.
export function withParam(route, key, value) {
    const params = new URLSearchParams(route.params);
    if (value) params.set(key, value);
    else params.delete(key);
    return href(route.parts, params);
}
