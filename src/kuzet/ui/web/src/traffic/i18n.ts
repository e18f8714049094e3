// Strings of the traffic screen, under the "tr." prefix.
import { prefixed } from "../i18n/admin";

const en = {
  tab: "Traffic", segment: "Road segment", bin: "Bin", m1: "1 min", m5: "5 min", m15: "15 min",
  show: "Show", counts: "Vehicles", speed: "Mean speed", perQuarter: "per 15 min", kmh: "km/h",
  measured: "measured", forecast: "forecast ({model}, next 60 min)", noForecast: "No forecast yet: it needs two days of figures.",
  none: "No traffic figures yet: lanes are set in the site file (traffic.cameras).",
  time: "Time", count: "Vehicles", byClass: "By class", occupancy: "Occupancy", queue: "Queue (max)",
  latest: "Latest bins", metres: "{m} m",
};

export const [tr] = prefixed("tr.", {
  en,
  ru: {
    tab: "Трафик", segment: "Участок дороги", bin: "Интервал", m1: "1 мин", m5: "5 мин", m15: "15 мин",
    show: "Показать", counts: "Транспорт", speed: "Средняя скорость", perQuarter: "за 15 мин", kmh: "км/ч",
    measured: "измерено", forecast: "прогноз ({model}, следующие 60 мин)", noForecast: "Прогноза пока нет: нужны данные за два дня.",
    none: "Данных о трафике пока нет: полосы задаются в файле площадки (traffic.cameras).",
    time: "Время", count: "ТС", byClass: "По классам", occupancy: "Занятость", queue: "Очередь (макс.)",
    latest: "Последние интервалы", metres: "{m} м",
  },
  kk: {
    tab: "Көлік ағыны", segment: "Жол учаскесі", bin: "Аралық", m1: "1 мин", m5: "5 мин", m15: "15 мин",
    show: "Көрсету", counts: "Көлік", speed: "Орташа жылдамдық", perQuarter: "15 минутта", kmh: "км/сағ",
    measured: "өлшенген", forecast: "болжам ({model}, келесі 60 мин)", noForecast: "Болжам әзірге жоқ: екі күндік дерек керек.",
    none: "Көлік ағыны туралы дерек әзірге жоқ: жолақтар алаң файлында беріледі (traffic.cameras).",
    time: "Уақыт", count: "Көлік", byClass: "Сыныптар бойынша", occupancy: "Бос емес үлесі", queue: "Кезек (макс.)",
    latest: "Соңғы аралықтар", metres: "{m} м",
  },
});
