/* Satu Dasbor: draws every [data-chart] element with ECharts and submits the filter bar on change.
 *
 * The chart data sits in a <script type="application/json"> tag (Django's json_script) whose id is
 * the element's data-chart value; nothing is evaluated, so the strict CSP (script-src 'self') holds.
 * ECharts styles its DOM through CSSOM (element.style), which style-src 'self' allows; tooltips are
 * drawn by the renderer itself (renderMode 'richText'), so no HTML with style attributes is injected.
 */
(function () {
  'use strict';

  var lang = (document.documentElement.lang || 'id').toLowerCase();
  var locale = lang.indexOf('id') === 0 ? 'id-ID' : 'en-GB';
  var formatters = {};

  /* 14.000 and 12,5 in Indonesian; 14,000 and 12.5 in English. */
  function fmt(value, decimals, exact) {
    if (value === null || value === undefined || value === '' || isNaN(value)) {
      return '–';
    }
    var key = decimals + (exact ? 'x' : '');
    if (!formatters[key]) {
      formatters[key] = new Intl.NumberFormat(locale, {
        minimumFractionDigits: exact ? decimals : 0,
        maximumFractionDigits: decimals
      });
    }
    return formatters[key].format(value);
  }

  function cssVar(name, fallback) {
    var v = getComputedStyle(document.documentElement).getPropertyValue(name);
    return (v && v.trim()) || fallback;
  }

  function withUnit(text, unit) {
    return unit && text !== '–' ? text + ' ' + unit : text;
  }

  function tooltip(spec) {
    return {
      trigger: 'axis',
      renderMode: 'richText',
      confine: true,
      formatter: function (params) {
        var list = Array.isArray(params) ? params : [params];
        var lines = [list.length ? list[0].name : ''];
        list.forEach(function (p) {
          lines.push(p.seriesName + ': ' + withUnit(fmt(p.value, spec.decimals, true), spec.unit));
        });
        return lines.join('\n');
      }
    };
  }

  function sparkOption(spec, colors) {
    var s = spec.series[0];
    return {
      animation: false,
      grid: { left: 2, right: 2, top: 4, bottom: 4 },
      tooltip: tooltip(spec),
      xAxis: { type: 'category', data: spec.labels, show: false, boundaryGap: false },
      yAxis: { type: 'value', show: false, scale: true },
      series: [{
        name: s.name,
        type: 'line',
        data: s.data,
        showSymbol: false,
        smooth: false,
        lineStyle: { width: 2, color: colors.primary },
        itemStyle: { color: colors.primary },
        areaStyle: { color: colors.primary, opacity: 0.12 }
      }]
    };
  }

  function trendOption(spec, colors) {
    var series = spec.series.map(function (s) {
      if (s.role === 'target') {
        return {
          name: s.name, type: 'line', data: s.data, connectNulls: true, symbol: 'none',
          lineStyle: { type: 'dashed', width: 2, color: colors.target },
          itemStyle: { color: colors.target }, z: 3
        };
      }
      return {
        name: s.name, type: spec.kind === 'bar' ? 'bar' : 'line', data: s.data,
        barMaxWidth: 28, showSymbol: true, symbolSize: 6,
        lineStyle: { width: 2, color: colors.primary }, itemStyle: { color: colors.primary }
      };
    });
    return {
      animationDuration: 300,
      grid: { left: 8, right: 12, top: series.length > 1 ? 36 : 16, bottom: 8, containLabel: true },
      legend: { show: series.length > 1, top: 0, textStyle: { color: colors.text } },
      tooltip: tooltip(spec),
      xAxis: {
        type: 'category', data: spec.labels,
        axisLabel: { color: colors.muted, hideOverlap: true }
      },
      yAxis: {
        type: 'value',
        axisLabel: { color: colors.muted, formatter: function (v) { return fmt(v, spec.decimals, false); } },
        splitLine: { lineStyle: { color: colors.grid } }
      },
      series: series
    };
  }

  var charts = [];

  function draw(el) {
    var source = document.getElementById(el.getAttribute('data-chart'));
    if (!source || typeof echarts === 'undefined') {
      return;
    }
    var spec = JSON.parse(source.textContent);
    var colors = {
      primary: cssVar('--tblr-primary', '#066fd1'),
      target: cssVar('--tblr-danger', '#d63939'),
      text: cssVar('--tblr-body-color', '#1d273b'),
      muted: cssVar('--tblr-secondary', '#6c7a91'),
      grid: cssVar('--tblr-border-color', '#e6e7e9')
    };
    var chart = echarts.init(el, null, { renderer: 'svg' });
    chart.setOption(spec.kind === 'spark' ? sparkOption(spec, colors) : trendOption(spec, colors));
    el.setAttribute('data-chart-ready', 'true');
    charts.push(chart);
  }

  function resizeAll() {
    charts.forEach(function (chart) { chart.resize(); });
  }

  function start() {
    Array.prototype.forEach.call(document.querySelectorAll('[data-chart]'), draw);
    var timer = null;
    window.addEventListener('resize', function () {
      clearTimeout(timer);
      timer = setTimeout(resizeAll, 120);
    });
    Array.prototype.forEach.call(document.querySelectorAll('[data-autosubmit]'), function (el) {
      el.addEventListener('change', function () {
        if (el.form) {
          el.form.submit();
        }
      });
    });
  }

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', start);
  } else {
    start();
  }
})();
