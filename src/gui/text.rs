//! The interface's words in Chinese and English (`t(lang, key)`); the scenario's own texts
//! (names, injects) are shown as the scenario gives them, `text_en` where English is asked for.

use crate::scoring::report::Lang;

const WORDS: &[(&str, &str, &str)] = &[
    ("facilitator", "导调(主持人)", "Facilitator"),
    ("seat", "席位", "Seat"),
    ("clock", "演练时间", "Exercise time"),
    ("pause", "暂停", "Pause"),
    ("play", "继续", "Play"),
    ("speed", "倍速", "Speed"),
    ("paused", "已暂停", "paused"),
    ("running", "运行中", "running"),
    ("finished", "已结束", "finished"),
    ("level", "响应级别", "Response level"),
    ("none", "无", "none"),
    ("inbox", "收件箱(注入信息)", "Inbox (injects)"),
    ("no_injects", "尚无注入信息", "No injects yet"),
    ("ack", "签收", "Acknowledge"),
    ("acked", "已签收", "acknowledged"),
    ("checklist", "预案任务清单", "Plan checklist"),
    ("not_triggered", "未触发", "not triggered"),
    ("done", "完成", "done"),
    ("due_in", "剩余", "due in"),
    ("overdue", "超时", "overdue by"),
    ("orders", "指令", "Orders"),
    ("order_kind", "指令类型", "Order"),
    ("team", "队伍", "Team"),
    ("target", "目标", "Target"),
    ("task", "任务", "Task"),
    ("from", "从", "From"),
    ("to", "到", "To"),
    ("item", "物资", "Item"),
    ("quantity", "数量", "Quantity"),
    ("road", "道路", "Road"),
    ("text", "内容", "Text"),
    ("name", "名称", "Name"),
    ("send", "下达", "Give order"),
    ("pick_on_map", "在地图上点选", "pick on the map"),
    ("picking", "请在地图上点击目标…", "click the target on the map…"),
    ("report", "报告", "Report"),
    ("report_kind", "报告类型", "Kind"),
    ("dead", "死亡", "dead"),
    ("injured", "受伤(全部伤员,含轻伤)", "injured (every living casualty)"),
    ("missing", "失踪", "missing"),
    ("affected", "受灾", "affected"),
    ("evacuated", "转移", "evacuated"),
    ("actions_taken", "已采取措施", "actions taken"),
    ("send_report", "报送", "Send report"),
    ("resources", "资源", "Resources"),
    ("teams", "队伍", "Teams"),
    ("shelters", "避难场所", "Shelters"),
    ("depots", "物资库", "Depots"),
    ("hospitals", "医院", "Hospitals"),
    ("intakes", "取水口", "Water intakes"),
    ("at_home", "待命", "at home"),
    ("en_route", "途中", "en route to"),
    ("working", "作业", "working"),
    ("open", "开放", "open"),
    ("closed", "关闭", "closed"),
    ("score", "实时评分", "Live score"),
    ("overall", "总分", "Overall"),
    ("plan", "预案执行", "Plan"),
    ("reporting", "信息报送", "Reporting"),
    ("coordination", "协同", "Coordination"),
    ("outcomes", "结果", "Outcomes"),
    ("log", "应答与日志", "Answers and journal"),
    ("details", "详情", "Details"),
    ("population", "人口", "population"),
    ("residents", "留守", "still there"),
    ("occupancy", "安置人数", "occupants"),
    ("depth", "水深", "depth"),
    ("beds", "床位", "beds"),
    ("stock", "库存", "stock"),
    ("casualties", "伤亡", "Casualties"),
    ("deaths", "死亡", "deaths"),
    ("sheltered", "已安置", "sheltered"),
    ("on_road", "在途", "on the road"),
    ("lang", "English", "中文"),
    ("control_only", "导调指令", "Facilitator orders"),
    ("fire", "发出", "Fire"),
    ("end_exercise", "结束演练", "End exercise"),
    ("legend", "图例", "Legend"),
    ("flood", "淹没区", "flood zone"),
    ("plume", "毒气扩散区", "gas threat zone"),
    ("contamination", "河流污染", "river contamination"),
    ("entries", "条日志", "journal entries"),
    ("for_seat", "本席位", "this seat"),
    ("all", "全部", "all"),
];

/// The word for `key` in `lang` (the key itself if it is not in the table).
pub fn t(lang: Lang, key: &'static str) -> &'static str {
    match WORDS.iter().find(|(k, _, _)| *k == key) {
        Some((_, zh, en)) => match lang {
            Lang::Zh => zh,
            Lang::En => en,
        },
        None => key,
    }
}

/// A scenario name in the interface language: names are often "中文 English"; Chinese shows the
/// part before the first Latin letter, English the part from it (the whole name if either is
/// missing).
pub fn display_name(name: &str, lang: Lang) -> String {
    crate::report::names::display_name(name, lang)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_unique_and_both_languages_are_filled() {
        let mut keys: Vec<&str> = WORDS.iter().map(|w| w.0).collect();
        keys.sort();
        let n = keys.len();
        keys.dedup();
        assert_eq!(keys.len(), n, "a key is listed twice");
        for (k, zh, en) in WORDS {
            assert!(!zh.is_empty() && !en.is_empty(), "{k} lacks a word");
        }
        assert_eq!(t(Lang::En, "pause"), "Pause");
        assert_eq!(t(Lang::Zh, "pause"), "暂停");
    }

    // display_name is report::names::display_name, tested there.
}
