// Example preload script registered by examples/basic.hcl. It runs in every
// frame of the partition before the page's own scripts.
window.addEventListener('DOMContentLoaded', () => {
  console.log('telemetry preload active')
})
