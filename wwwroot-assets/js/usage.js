// Usage exports: streams the export from the server (which writes it in constant memory), reports progress to the
// Blazor page while the bytes arrive, then hands the file to the browser as a download.
window.portalUsage = {
    async download(url, fileName, dotnet) {
        const response = await fetch(url, { credentials: 'same-origin' });
        if (!response.ok) throw new Error('HTTP ' + response.status);
        const reader = response.body.getReader();
        const chunks = [];
        let bytes = 0;
        let reported = 0;
        for (;;) {
            const { done, value } = await reader.read();
            if (done) break;
            chunks.push(value);
            bytes += value.length;
            const now = performance.now();
            if (now - reported > 250) {
                reported = now;
                await dotnet.invokeMethodAsync('ExportProgress', bytes);
            }
        }
        const blob = new Blob(chunks, { type: response.headers.get('content-type') || 'application/octet-stream' });
        const link = document.createElement('a');
        link.href = URL.createObjectURL(blob);
        link.download = fileName;
        document.body.appendChild(link);
        link.click();
        link.remove();
        setTimeout(() => URL.revokeObjectURL(link.href), 60000);
        return bytes;
    }
};
